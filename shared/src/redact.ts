// Credentials never reach a log line or an error message: any URL's password in a text is
// replaced by "***" (AMQP_URL, COUCHDB_URL, RABBITMQ_MANAGEMENT_URL and whatever a library quotes).

/** `scheme://user:password@` anywhere in a text; the user stays, the password goes. */
const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]*):([^\s/@]+)@/gi;

/** The text with every URL password replaced by "***". */
export function redactSecrets(text: string): string {
  return text.replace(CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:***@`);
}

/** The same for every string in a log line's fields (and their direct children: an error's message, say). */
export function redactFields<T>(value: T, depth = 2): T {
  if (typeof value === "string") return redactSecrets(value) as T;
  if (depth === 0 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v: unknown) => redactFields(v, depth - 1)) as T;
  if (value instanceof Error) {
    const e = new Error(redactSecrets(value.message));
    e.name = value.name;
    if (value.stack !== undefined) e.stack = redactSecrets(value.stack);
    return e as T;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactFields(v, depth - 1);
  return out as T;
}
