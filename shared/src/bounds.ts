// Sizes drover keeps bounded: a message body, an error text, a list of issues, a document's
// history. Senders cut their own long texts and lists (with a marker saying how much was left
// out) so that a real failure is never refused; a receiver refuses anything over the limits.

/** The largest message body the bus sends or parses (bytes of JSON). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** The longest error text, history reason or issue message a message may carry (characters). */
export const MAX_TEXT = 4096;
/** The most entries a list of issues (or of validation findings) in a message may have. */
export const MAX_LIST = 200;
/** The longest reason a history entry keeps (characters): the whole error stays in lastError. */
export const MAX_REASON = 1024;
/** History entries kept in a project's document; older ones move to `history:` documents. */
export const HISTORY_KEEP = 100;
/** A document's history is cut back to HISTORY_KEEP once it is this long (so that not every change archives). */
export const HISTORY_HIGH = 150;

/** `text` cut to at most `max` characters, ending with "… (N more characters)" when cut. */
export function capText(text: string, max = MAX_TEXT): string {
  if (text.length <= max) return text;
  // The marker's own length depends on N; leave room for its longest form.
  const room = max - 40;
  return `${text.slice(0, room)}… (${text.length - room} more characters)`;
}

/** `list` cut to at most `max` entries, the last one made by `marker(left out)` when cut. */
export function capList<T>(list: readonly T[], max: number, marker: (more: number) => T): T[] {
  if (list.length <= max) return [...list];
  const kept = list.slice(0, max - 1);
  return [...kept, marker(list.length - kept.length)];
}

/** A list of strings cut to MAX_LIST, each cut to MAX_TEXT. */
export function capStrings(list: readonly string[], max = MAX_LIST): string[] {
  return capList(list.map((s) => capText(s)), max, (n) => `… (${n} more)`);
}

interface ErrorLike {
  message: string;
  file?: string | undefined;
  variable?: string | undefined;
}

/** An error detail with its texts cut to MAX_TEXT (what a worker sends when its task failed). */
export function capError<E extends ErrorLike>(e: E): E {
  const out = { ...e, message: capText(e.message) };
  if (e.file !== undefined) out.file = capText(e.file);
  if (e.variable !== undefined) out.variable = capText(e.variable);
  return out;
}

interface IssueLike extends ErrorLike {
  severity: "warning" | "fatal";
  code: string;
}

/** Issues cut to MAX_LIST (the last one says how many were left out), each text cut to MAX_TEXT. */
export function capIssues<I extends IssueLike>(issues: readonly I[]): I[] {
  const cut = issues.map((i) => ({ ...capError(i), code: capText(i.code) }));
  return capList(cut, MAX_LIST, (n) => ({ severity: "warning", code: "truncated", message: `… (${n} more issues; see the inventory or the reports)` }) as I);
}
