import { hostname } from "node:os";
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from "amqplib";
import { MAX_MESSAGE_BYTES } from "./bounds.js";
import { gatherWrites, type Corkable } from "./gather-writes.js";
import { redactUrl } from "./config.js";
import { redactSecrets } from "./redact.js";
import { DroverError, isDroverError } from "./errors.js";
import type { Logger } from "./log.js";
import {
  createMessage,
  isSelector,
  parseMessage,
  type BodyInput,
  type Message,
  type MessageFields,
  type Selector,
} from "./messages.js";
import { consumes, deadLetterExchange, deadLetterQueue, queueName, services } from "./topology.js";
import { DEAD_LETTER_KEEP_BYTES, type ParkedMessage } from "./tracker/dead-letters.js";

// The one module that owns the broker connection. Services publish and consume through it and
// never see a channel. It reconnects with capped backoff and re-declares topology and consumers.

export interface BusOptions {
  url: string;
  exchange: string;
  /** Service name: queue names and the sender field of every message. */
  service: string;
  /** Unacknowledged messages per consumer. Default 1. */
  prefetch?: number;
  logger: Logger;
  /** Attempts to reach the broker at start before giving up. Default 10 (about 30 s). */
  initialRetries?: number;
  /**
   * Times a handler's transient failure is retried before the message is dead-lettered. Default 15:
   * with the default delays (1 s doubling, at most 60 s) about 10 minutes, so an outage of the
   * database or a disk of a few minutes is ridden out.
   */
  handlerRetries?: number;
  /** The first retry's delay; each next one doubles, up to retryMaxMs. Default 1000 and 60000. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** The largest body sent or parsed (bytes). Default MAX_MESSAGE_BYTES (1 MiB). */
  maxMessageBytes?: number;
}

/** Headers the bus sets on a message it parks itself: why, and which queue refused it. */
export const PARK_REASON_HEADER = "x-drover-reason";
export const PARK_QUEUE_HEADER = "x-drover-queue";

/**
 * A consumer queue's retry queue: a message waits there for its delay (per-message TTL), then the
 * broker dead-letters it back into the consumer queue. The handler never sleeps holding a delivery.
 */
export function retryQueueName(queue: string): string {
  return `${queue}.retry`;
}

export interface Delivery {
  /** The broker delivered this message before (a consumer died holding it). */
  redelivered: boolean;
  /** How many times a transient failure sent this message back to its queue. */
  retries: number;
}

export type Handler<S extends Selector> = (msg: Message<S>, delivery: Delivery) => Promise<void>;

export interface Bus {
  readonly sender: string;
  /** Builds a message (checked against its schema) and publishes it with confirms. */
  send<S extends Selector>(type: S, fields: MessageFields, body: BodyInput<S>): Promise<Message<S>>;
  publish(msg: Message): Promise<void>;
  /** Consumes a selector from this service's durable queue (copies of the service compete). */
  consume<S extends Selector>(selector: S, handler: Handler<S>): Promise<void>;
  /** Listens to a pattern (e.g. "project.#") on a private queue that lives as long as this process. */
  watch(pattern: string, handler: (msg: Message) => void): Promise<void>;
  /**
   * Takes parked messages off the dead-letter queue, one at a time: acknowledged once the handler
   * resolves, put back when it throws (the database away: tried again later).
   */
  consumeDeadLetters(handler: (m: ParkedMessage) => Promise<void>): Promise<void>;
  /**
   * Stops consuming (every consumer cancelled, nothing new delivered), waits up to `graceMs` for
   * the messages being handled, then hands the rest back to their queues (nack with requeue): a
   * task cut short is done again by another copy, never lost. Idempotent.
   */
  stop(graceMs?: number): Promise<{ finished: number; handedBack: number }>;
  /** `stop` (with its default grace of 8 s), then closes the connection. */
  close(graceMs?: number): Promise<void>;
}

interface Subscription {
  kind: "consume" | "watch" | "dead";
  pattern: string;
  run: (raw: ConsumeMessage, channel: Channel) => Promise<void>;
  /** Where it consumes now (set again at each reconnection). */
  channel?: Channel;
  tag?: string;
}

/** A delivery being handled: settled by its handler, or handed back by `stop`. */
interface InFlight {
  raw: ConsumeMessage;
  ch: Channel;
  settled: boolean;
  done: Promise<void>;
}

/** Parked messages recorded at once by the dead-letter consumer. */
const DEAD_LETTER_PREFETCH = 16;

/** The default grace `close` gives the messages being handled. */
export const STOP_GRACE_MS = 8_000;

function isConsumed(selector: string): boolean {
  return Object.values(consumes).some((list) => (list as readonly string[]).includes(selector));
}

export async function connectBus(options: BusOptions): Promise<Bus> {
  const { exchange, logger } = options;
  const prefetch = options.prefetch ?? 1;
  if (prefetch < 1) throw new DroverError("ConfigError", "prefetch must be at least 1");
  const handlerRetries = options.handlerRetries ?? 15;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const retryMaxMs = options.retryMaxMs ?? 60_000;
  const sender = `${options.service}@${hostname()}:${process.pid}`;
  const subscriptions: Subscription[] = [];
  let model: ChannelModel | undefined;
  let publisher: ConfirmChannel | undefined;
  let waiters: Array<(ch: ConfirmChannel) => void> = [];
  let closing = false;
  let stopping = false;
  const maxBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const inFlight = new Set<InFlight>();

  const declareQueue = async (ch: Channel, q: string, selector: string) => {
    await ch.assertQueue(q, { durable: true, deadLetterExchange: deadLetterExchange(exchange) });
    // The default exchange ("") by argument: amqplib leaves an empty deadLetterExchange option out.
    await ch.assertQueue(retryQueueName(q), { durable: true, arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": q } });
    await ch.bindQueue(q, exchange, selector);
  };

  const declareTopology = async (ch: Channel) => {
    await ch.assertExchange(exchange, "topic", { durable: true });
    await ch.assertExchange(deadLetterExchange(exchange), "fanout", { durable: true });
    await ch.assertQueue(deadLetterQueue(exchange), { durable: true });
    await ch.bindQueue(deadLetterQueue(exchange), deadLetterExchange(exchange), "");
    for (const service of services) {
      for (const selector of consumes[service]) await declareQueue(ch, queueName(exchange, service, selector), selector);
    }
  };

  const startSubscription = async (m: ChannelModel, sub: Subscription) => {
    // A stopping service takes nothing new, not even after a reconnection.
    if (stopping) return;
    const ch = await m.createChannel();
    ch.on("error", (err: Error) => logger.warn({ err: err.message, pattern: sub.pattern }, "consumer channel error"));
    await ch.prefetch(prefetch);
    let queue: string;
    if (sub.kind === "consume") {
      queue = queueName(exchange, options.service, sub.pattern);
      await declareQueue(ch, queue, sub.pattern);
    } else if (sub.kind === "dead") {
      queue = deadLetterQueue(exchange);
      // A few at a time: each is one database write, and a flood of garbage must drain quickly.
      await ch.prefetch(DEAD_LETTER_PREFETCH);
    } else {
      const q = await ch.assertQueue("", { exclusive: true, autoDelete: true, durable: false });
      queue = q.queue;
      await ch.bindQueue(queue, exchange, sub.pattern);
    }
    // A watcher's deliveries are not acknowledged: it only looks (its queue is its own and goes
    // with it), and an acknowledgement each would cost a write to the broker per message seen.
    const watching = sub.kind === "watch";
    const { consumerTag } = await ch.consume(queue, (raw) => {
      if (raw === null) return;
      if (watching) {
        void sub.run(raw, ch);
        return;
      }
      if (stopping) {
        // Delivered as the consumer was being cancelled: straight back to its queue.
        safe(() => ch.nack(raw, false, true));
        return;
      }
      const entry: InFlight = { raw, ch, settled: false, done: Promise.resolve() };
      inFlight.add(entry);
      entry.done = sub.run(raw, ch).finally(() => inFlight.delete(entry));
    }, { noAck: watching });
    sub.channel = ch;
    sub.tag = consumerTag;
  };

  /** Settles a delivery once: a handler finishing after `stop` handed its message back does nothing more. */
  const settle = (raw: ConsumeMessage, f: () => void) => {
    for (const e of inFlight) {
      if (e.raw !== raw) continue;
      if (e.settled) return;
      e.settled = true;
    }
    safe(f);
  };

  /**
   * Parks a delivery in the dead-letter queue with our own reason (the broker's would only say
   * "rejected"), then acknowledges it; `content` may be cut (an oversized body is never kept whole).
   */
  const park = async (raw: ConsumeMessage, ch: Channel, queue: string, reason: string, content = raw.content): Promise<void> => {
    try {
      const pub = publisher;
      if (!pub) throw new Error("no publish channel");
      // Not its retry delay (a parked message never expires), nor the broker's own fields.
      const { expiration: _e, deliveryMode: _d, ...properties } = raw.properties;
      await new Promise<void>((resolve, reject) =>
        pub.publish(
          deadLetterExchange(exchange),
          raw.fields.routingKey,
          content,
          { ...properties, persistent: true, headers: { ...raw.properties.headers, [PARK_REASON_HEADER]: reason, [PARK_QUEUE_HEADER]: queue } },
          (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()),
        ),
      );
      settle(raw, () => ch.ack(raw));
    } catch {
      // The broker parks it itself (with its own reason).
      settle(raw, () => ch.nack(raw, false, false));
    }
  };

  const setup = async (m: ChannelModel) => {
    model = m;
    // amqplib keeps the socket as `connection.stream` (a net.Socket, or a TLS one).
    const socket = (m as unknown as { connection?: { stream?: Corkable } }).connection?.stream;
    if (socket && typeof socket.cork === "function") gatherWrites(socket);
    const admin = await m.createChannel();
    await declareTopology(admin);
    await admin.close();
    const pub = await m.createConfirmChannel();
    pub.on("error", (err: Error) => logger.warn({ err: err.message }, "publish channel error"));
    pub.on("return", (raw: ConsumeMessage) =>
      logger.error(
        { selector: raw.fields.routingKey, messageId: raw.properties.messageId },
        "message returned by the broker: no queue is bound to its selector",
      ),
    );
    for (const sub of subscriptions) await startSubscription(m, sub);
    publisher = pub;
    const ready = waiters;
    waiters = [];
    for (const w of ready) w(pub);
  };

  const connection = await amqp
    .connect(options.url, {
      clientProperties: { connection_name: sender },
      recovery: {
        initialDelay: 200,
        maxDelay: 5000,
        initialMaxRetries: options.initialRetries ?? 10,
        maxRetries: Number.POSITIVE_INFINITY,
        setup,
      },
    })
    .catch((e: unknown) => {
      throw new DroverError(
        "TransientError",
        `cannot reach RabbitMQ at ${redactUrl(options.url)}: ${(e as Error).message}. ` +
          `Start it with 'npm run stack:start', or set AMQP_URL to a running broker.`,
        { permanent: false, cause: e },
      );
    });
  connection.on("disconnect", (err: Error) => {
    publisher = undefined;
    if (!closing) logger.warn({ err: err?.message }, "lost the broker connection; reconnecting");
  });
  connection.on("connect", () => {
    if (!closing) logger.info("connected to the broker");
  });
  connection.on("error", (err: Error) => logger.warn({ err: err.message }, "broker connection error"));

  const channel = (): Promise<ConfirmChannel> =>
    publisher ? Promise.resolve(publisher) : new Promise((resolve) => waiters.push(resolve));

  const publish = async (msg: Message): Promise<void> => {
    const payload = Buffer.from(JSON.stringify(msg));
    if (payload.length > maxBytes) {
      throw new DroverError(
        "MessageError",
        `refusing to send ${msg.type} for ${msg.group}${msg.project ? `/${msg.project}` : ""}: its body is ${payload.length} bytes, over the limit of ${maxBytes} bytes; ` +
          `cut its texts and lists (bounds.ts) or keep the data in a file and send its path`,
      );
    }
    const durable = isConsumed(msg.type);
    for (let attempt = 0; ; attempt++) {
      const ch = await channel();
      try {
        await new Promise<void>((resolve, reject) => {
          ch.publish(
            exchange,
            msg.type,
            payload,
            {
              persistent: durable,
              mandatory: durable,
              contentType: "application/json",
              messageId: msg.id,
              correlationId: msg.correlationId,
              type: msg.type,
              timestamp: Math.floor(Date.now() / 1000),
              appId: sender,
            },
            (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()),
          );
        });
        return;
      } catch (e) {
        if (closing || attempt >= 5) {
          throw new DroverError("TransientError", `publish ${msg.type} failed: ${(e as Error).message}`, {
            permanent: false,
            cause: e,
          });
        }
        if (publisher === ch) publisher = undefined;
        await sleep(200 * 2 ** attempt);
      }
    }
  };

  const retryCount = (raw: ConsumeMessage): number => {
    const h = raw.properties.headers?.["x-drover-retries"];
    return typeof h === "number" ? h : 0;
  };

  const consume = async <S extends Selector>(selector: S, handler: Handler<S>): Promise<void> => {
    const queue = queueName(exchange, options.service, selector);
    const run = async (raw: ConsumeMessage, ch: Channel) => {
      const retries = retryCount(raw);
      if (raw.content.length > maxBytes) {
        // Never parsed: only its beginning is kept, for the operator to see what it was.
        const reason = `oversized: ${raw.content.length} bytes > ${maxBytes}`;
        logger.error({ selector, messageId: raw.properties.messageId, reason }, "rejected an oversized message; it is parked in the dead-letter queue");
        await park(raw, ch, queue, reason, raw.content.subarray(0, DEAD_LETTER_KEEP_BYTES));
        return;
      }
      let msg: Message<S>;
      try {
        msg = parseMessage(selector, JSON.parse(raw.content.toString("utf8")));
      } catch (e) {
        const reason = e instanceof SyntaxError ? `not JSON: ${e.message}` : (e as Error).message;
        logger.error(
          { selector, messageId: raw.properties.messageId, reason },
          "rejected a malformed message; it is parked in the dead-letter queue",
        );
        await park(raw, ch, queue, redactSecrets(reason).slice(0, 2000));
        return;
      }
      const log = logger.child({ group: msg.group, project: msg.project, msgId: msg.id, attempt: msg.attempt });
      try {
        await handler(msg, { redelivered: raw.fields.redelivered, retries });
        settle(raw, () => ch.ack(raw));
      } catch (e) {
        const transient = isDroverError(e) ? !e.permanent : true;
        const detail = (e as Error).message;
        if (transient && retries < handlerRetries) {
          const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** retries);
          log.warn({ selector, err: detail, retryIn: delay, retry: retries + 1, of: handlerRetries }, "handler failed; the message waits in its retry queue");
          try {
            // Into the retry queue, which hands it back when its time is up: the delivery is settled now.
            const pub = await channel();
            await new Promise<void>((resolve, reject) =>
              pub.sendToQueue(
                retryQueueName(queue),
                raw.content,
                { ...raw.properties, persistent: true, expiration: String(delay), headers: { ...raw.properties.headers, "x-drover-retries": retries + 1 } },
                (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()),
              ),
            );
            settle(raw, () => ch.ack(raw));
          } catch (requeueError) {
            log.warn({ err: (requeueError as Error).message }, "could not re-queue; the broker will redeliver");
            settle(raw, () => ch.nack(raw, false, true));
          }
        } else {
          log.error({ selector, err: detail, retries }, "handler failed for good; message parked in the dead-letter queue");
          await park(raw, ch, queue, `${transient ? "gave up" : "refused"}: ${redactSecrets(detail).slice(0, 2000)}`);
        }
      }
    };
    const sub: Subscription = { kind: "consume", pattern: selector, run };
    subscriptions.push(sub);
    if (model && publisher) await startSubscription(model, sub);
  };

  const watch = async (pattern: string, handler: (msg: Message) => void): Promise<void> => {
    const run = async (raw: ConsumeMessage, ch: Channel) => {
      try {
        const data = JSON.parse(raw.content.toString("utf8")) as { type?: unknown };
        if (typeof data.type === "string" && isSelector(data.type)) handler(parseMessage(data.type, data));
      } catch (e) {
        logger.debug({ err: (e as Error).message }, "ignored an unreadable message while watching");
      }
    };
    const sub: Subscription = { kind: "watch", pattern, run };
    subscriptions.push(sub);
    if (model && publisher) await startSubscription(model, sub);
  };

  const consumeDeadLetters = async (handler: (m: ParkedMessage) => Promise<void>): Promise<void> => {
    const run = async (raw: ConsumeMessage, ch: Channel) => {
      const headers = raw.properties.headers ?? {};
      const death = (Array.isArray(headers["x-death"]) ? headers["x-death"][0] : undefined) as { queue?: unknown; reason?: unknown } | undefined;
      const ownReason = headers[PARK_REASON_HEADER];
      const ownQueue = headers[PARK_QUEUE_HEADER];
      const parked: ParkedMessage = {
        messageId: typeof raw.properties.messageId === "string" ? raw.properties.messageId : undefined,
        routingKey: raw.fields.routingKey,
        content: raw.content,
        queue: typeof ownQueue === "string" ? ownQueue : typeof death?.queue === "string" ? death.queue : "?",
        reason:
          typeof ownReason === "string"
            ? ownReason
            : typeof death?.reason === "string"
              ? `${death.reason} by ${typeof death.queue === "string" ? death.queue : "its queue"}`
              : "parked",
        ...(typeof ownReason === "string" ? { explained: true } : {}),
        retries: retryCount(raw),
      };
      try {
        await handler(parked);
        settle(raw, () => ch.ack(raw));
      } catch (e) {
        // The database away: hold it a moment, then put it back to be tried again.
        logger.warn({ err: (e as Error).message }, "could not record a parked message; it stays in the dead-letter queue");
        if (!stopping) await sleep(5000);
        settle(raw, () => ch.nack(raw, false, true));
      }
    };
    const sub: Subscription = { kind: "dead", pattern: "", run };
    subscriptions.push(sub);
    if (model && publisher) await startSubscription(model, sub);
  };

  function safe(f: () => void) {
    try {
      f();
    } catch (e) {
      logger.warn({ err: (e as Error).message }, "channel closed before the message was settled; the broker will redeliver it");
    }
  }

  let stopped: Promise<{ finished: number; handedBack: number }> | undefined;
  const stop = (graceMs = STOP_GRACE_MS): Promise<{ finished: number; handedBack: number }> => {
    stopped ??= (async () => {
      stopping = true;
      for (const sub of subscriptions) {
        const { channel: ch, tag } = sub;
        if (ch && tag) await ch.cancel(tag).catch(() => undefined);
      }
      const held = [...inFlight];
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(held.map((e) => e.done)), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
      let handedBack = 0;
      for (const e of inFlight) {
        if (e.settled) continue;
        e.settled = true;
        handedBack++;
        safe(() => e.ch.nack(e.raw, false, true));
      }
      if (handedBack > 0) logger.warn({ handedBack }, `stopping: ${handedBack} message(s) still being handled after ${graceMs} ms went back to their queues`);
      return { finished: held.length - handedBack, handedBack };
    })();
    return stopped;
  };

  await channel();
  return {
    sender,
    async send(type, fields, body) {
      const msg = createMessage(type, fields, body, sender);
      await publish(msg);
      return msg;
    },
    publish,
    consume,
    watch,
    consumeDeadLetters,
    stop,
    async close(graceMs?: number) {
      await stop(graceMs);
      closing = true;
      await connection.close().catch(() => undefined);
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Deletes an exchange made for a test or a benchmark, with its dead-letter exchange and every queue drover declares on it. */
export async function deleteTopology(amqpUrl: string, exchange: string): Promise<void> {
  const conn = await amqp.connect(amqpUrl, { timeout: 10_000 });
  try {
    const ch = await conn.createChannel();
    for (const [svc, sels] of Object.entries(consumes)) {
      for (const s of sels) {
        await ch.deleteQueue(queueName(exchange, svc, s));
        await ch.deleteQueue(retryQueueName(queueName(exchange, svc, s)));
      }
    }
    await ch.deleteQueue(deadLetterQueue(exchange));
    await ch.deleteExchange(exchange);
    await ch.deleteExchange(deadLetterExchange(exchange));
  } finally {
    await conn.close().catch(() => undefined);
  }
}
