import type { Bus } from "../bus.js";
import { DroverError } from "../errors.js";
import { createMessage, type AnsweredRequest, type Body, type BodyInput, type Message, type MessageFields } from "../messages.js";

// Requests to the state-tracker and its answers (the CLI's, the dashboard's, the shepherd's): the request goes out on its selector, the
// answer comes back on request.answered with the request's id as correlationId.

export type Answer = Body<"request.answered">;

const waiting = new WeakMap<Bus, Promise<Map<string, (a: Answer) => void>>>();

/** One listener per bus for every answer, bound before the first request goes out. */
function answers(bus: Bus): Promise<Map<string, (a: Answer) => void>> {
  let pending = waiting.get(bus);
  if (pending) return pending;
  const map = new Map<string, (a: Answer) => void>();
  pending = bus
    .watch("request.answered", (m: Message) => map.get(m.correlationId)?.((m as Message<"request.answered">).body))
    .then(() => map);
  pending.catch(() => waiting.delete(bus));
  waiting.set(bus, pending);
  return pending;
}

/**
 * Sends a request and waits for the state-tracker's answer. No answer within `timeoutSeconds`
 * is an error that says the request stays queued.
 */
export async function askTracker<S extends AnsweredRequest>(bus: Bus, type: S, fields: MessageFields, body: BodyInput<S>, timeoutSeconds: number): Promise<Answer> {
  const pending = await answers(bus);
  const msg = createMessage(type, fields, body, bus.sender);
  // Listening before sending: an answer can never arrive unheard.
  const answered = new Promise<Answer>((resolve) => pending.set(msg.id, resolve));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DroverError(
            "TransientError",
            `the state-tracker did not answer ${type} within ${timeoutSeconds} s; the request stays queued and is handled when it runs ` +
              `(is it running? 'npm run state-tracker'; see 'drover status ${fields.group}')`,
            { permanent: false },
          ),
        ),
      timeoutSeconds * 1000,
    );
  });
  try {
    await bus.publish(msg);
    return await Promise.race([answered, late]);
  } finally {
    clearTimeout(timer);
    pending.delete(msg.id);
  }
}
