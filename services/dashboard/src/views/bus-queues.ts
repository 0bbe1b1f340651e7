import amqp, { type ChannelModel, type GetMessage } from "amqplib";
import { consumes, deadLetterQueue, queueName, services } from "@drover/shared";
import { z } from "zod";
import { preview } from "./parked.js";

// The bus page: each of drover's queues with its depth and consumers (and rates when RabbitMQ's
// management API is given), a warning where messages wait with nobody to take them, and the
// dead-letter queue's messages, peeked: read, then handed back to the queue, none lost.

export interface QueueRow {
  name: string;
  service: string;
  selector: string;
  messages: number;
  consumers: number;
  /** Messages a second, from the management API only. */
  publishRate?: number;
  deliverRate?: number;
  warning?: string;
}

export interface DeadLetter {
  type: string;
  group?: string;
  project?: string;
  id?: string;
  /** Why and from where it was dead-lettered (x-death). */
  reason: string;
  preview: string;
}

export interface BusView {
  source: "amqp" | "management";
  queues: QueueRow[];
  deadLetters: { name: string; messages: number; peeked: DeadLetter[] };
  at: string;
}

export interface QueueSource {
  view(peek: number): Promise<BusView>;
  close(): Promise<void>;
}

function drovers(exchange: string): { name: string; service: string; selector: string }[] {
  return services.flatMap((service) => consumes[service].map((selector) => ({ name: queueName(exchange, service, selector), service, selector })));
}

function warn(row: QueueRow): QueueRow {
  return row.messages > 0 && row.consumers === 0 ? { ...row, warning: `${row.messages} message${row.messages === 1 ? "" : "s"} waiting and no ${row.service} consuming: start one ('npm run ${row.service}')` } : row;
}

const Envelope = z.object({ type: z.string(), group: z.string().optional(), project: z.string().optional(), id: z.string().optional() }).loose();
const XDeath = z.array(z.object({ reason: z.string().optional(), queue: z.string().optional(), count: z.number().optional() }).loose());

function deadLetter(content: string, headers: Record<string, unknown> | undefined, routingKey: string): DeadLetter {
  let env: z.infer<typeof Envelope> | undefined;
  try {
    const r = Envelope.safeParse(JSON.parse(content));
    env = r.success ? r.data : undefined;
  } catch {
    env = undefined;
  }
  const death = XDeath.safeParse(headers?.["x-death"]);
  const first = death.success ? death.data[0] : undefined;
  const reason = first ? `${first.reason ?? "dead-lettered"} from ${first.queue ?? "?"}${first.count && first.count > 1 ? ` (${first.count} times)` : ""}` : "dead-lettered";
  return {
    type: env?.type ?? routingKey,
    ...(env?.group ? { group: env.group } : {}),
    ...(env?.project ? { project: env.project } : {}),
    ...(env?.id ? { id: env.id } : {}),
    reason,
    preview: preview(content),
  };
}

/** Queue checks over AMQP (always available): depth and consumers; the dead letters peeked and requeued. */
export function amqpQueues(url: string, exchange: string): QueueSource {
  let conn: Promise<ChannelModel> | undefined;
  const connection = () => (conn ??= amqp.connect(url).then((c) => {
    c.on("error", () => undefined);
    c.on("close", () => (conn = undefined));
    return c;
  }));
  let peeking: Promise<unknown> = Promise.resolve();
  const peek = async (n: number): Promise<DeadLetter[]> => {
    if (n === 0) return [];
    const ch = await (await connection()).createChannel();
    const out: DeadLetter[] = [];
    try {
      const held: GetMessage[] = [];
      for (let i = 0; i < n; i++) {
        const m = await ch.get(deadLetterQueue(exchange), { noAck: false });
        if (m === false) break;
        held.push(m);
        out.push(deadLetter(m.content.toString("utf8"), m.properties.headers, m.fields.routingKey));
      }
      // Handed back, in order: nothing is taken from the queue by looking.
      if (held.length > 0) ch.nackAll(true);
    } finally {
      await ch.close().catch(() => undefined);
    }
    return out;
  };
  return {
    async view(n) {
      const c = await connection();
      const ch = await c.createChannel();
      ch.on("error", () => undefined);
      const queues: QueueRow[] = [];
      try {
        for (const q of drovers(exchange)) {
          const r = await ch.checkQueue(q.name);
          queues.push(warn({ ...q, messages: r.messageCount, consumers: r.consumerCount }));
        }
        const dead = await ch.checkQueue(deadLetterQueue(exchange));
        // One peek at a time: two would each hold half of the messages.
        const peeked = (peeking = peeking.then(() => peek(Math.min(n, dead.messageCount)), () => peek(Math.min(n, dead.messageCount)))) as Promise<DeadLetter[]>;
        return { source: "amqp", queues, deadLetters: { name: deadLetterQueue(exchange), messages: dead.messageCount, peeked: await peeked }, at: new Date().toISOString() };
      } finally {
        await ch.close().catch(() => undefined);
      }
    },
    async close() {
      if (conn) await (await conn).close().catch(() => undefined);
    },
  };
}

const MgmtQueue = z.object({
  name: z.string(),
  messages: z.number().default(0),
  consumers: z.number().default(0),
  message_stats: z
    .object({ publish_details: z.object({ rate: z.number() }).optional(), deliver_get_details: z.object({ rate: z.number() }).optional() })
    .loose()
    .optional(),
}).loose();
const MgmtMessage = z.object({ payload: z.string(), routing_key: z.string().default(""), properties: z.object({ headers: z.record(z.string(), z.unknown()).optional() }).loose().default({}) }).loose();

/** RabbitMQ's management API (RABBITMQ_MANAGEMENT_URL): depth, consumers and rates; dead letters fetched with ack_requeue_true. */
export function managementQueues(managementUrl: string, amqpUrl: string, exchange: string): QueueSource {
  const base = new URL(managementUrl);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(base.username || "guest")}:${decodeURIComponent(base.password || "guest")}`).toString("base64")}`;
  base.username = "";
  base.password = "";
  const vhost = encodeURIComponent(decodeURIComponent(new URL(amqpUrl).pathname.slice(1)) || "/");
  const call = async (path: string, init?: RequestInit): Promise<unknown> => {
    const r = await fetch(new URL(path, base), { ...init, headers: { Authorization: auth, "Content-Type": "application/json" } });
    if (!r.ok) throw new Error(`RabbitMQ management API ${path}: HTTP ${r.status}`);
    return r.json();
  };
  return {
    async view(n) {
      const all = z.array(MgmtQueue).parse(await call(`api/queues/${vhost}?columns=name,messages,consumers,message_stats`));
      const byName = new Map(all.map((q) => [q.name, q]));
      const queues = drovers(exchange).map((q) => {
        const m = byName.get(q.name);
        const rates = m?.message_stats;
        return warn({
          ...q,
          messages: m?.messages ?? 0,
          consumers: m?.consumers ?? 0,
          ...(rates?.publish_details ? { publishRate: rates.publish_details.rate } : {}),
          ...(rates?.deliver_get_details ? { deliverRate: rates.deliver_get_details.rate } : {}),
        });
      });
      const dlq = deadLetterQueue(exchange);
      const dead = byName.get(dlq)?.messages ?? 0;
      const peeked =
        n > 0 && dead > 0
          ? z
              .array(MgmtMessage)
              .parse(await call(`api/queues/${vhost}/${encodeURIComponent(dlq)}/get`, { method: "POST", body: JSON.stringify({ count: n, ackmode: "ack_requeue_true", encoding: "auto" }) }))
              .map((m) => deadLetter(m.payload, m.properties.headers, m.routing_key))
          : [];
      return { source: "management", queues, deadLetters: { name: dlq, messages: dead, peeked }, at: new Date().toISOString() };
    },
    async close() {},
  };
}
