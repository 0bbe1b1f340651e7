import { createMessage, isSelector, listDeadLetters, parseMessage, removeDoc, type DeadLetterDoc } from "@drover/shared";
import { UsageError, type Command } from "../command.js";

// `drover deadletters list|replay|drop`: the messages the broker parked, as the state-tracker
// kept them (the dead-letter queue itself is drained, so nothing sits there unseen).

function line(d: DeadLetterDoc): string {
  const who = d.group ? ` ${d.group}${d.project ? `/${d.project}` : ""}` : "";
  return `${d._id.slice("deadletter:".length)}  ${d.at}  ${d.selector}${who}: ${d.reason}${d.truncated ? " (body cut)" : ""}`;
}

export const deadletters: Command = {
  name: "deadletters",
  args: "list|replay|drop [ID…]",
  minArgs: 1,
  summary:
    "The messages parked in the dead-letter queue (kept by the state-tracker): list them, replay them (published again on their selector, a fresh id;\n" +
    "for a phase request prefer 'drover retry'), or drop them.",
  options: { all: { type: "boolean", help: "every parked message (replay, drop)" }, json: { type: "boolean", help: "list as JSON" } },
  examples: ["drover deadletters list", "drover deadletters replay 0b6f…", "drover deadletters drop --all"],
  async run(ctx, { values, positionals }) {
    const [verb, ...ids] = positionals;
    const store = await ctx.store();
    const kept = await listDeadLetters(store);
    if (verb === "list") {
      if (values["json"]) process.stdout.write(`${JSON.stringify(kept, null, 2)}\n`);
      else process.stdout.write(kept.length === 0 ? "no parked messages\n" : `${kept.map(line).join("\n")}\n`);
      return 0;
    }
    if (verb !== "replay" && verb !== "drop") throw new UsageError(`drover deadletters ${verb ?? ""}: say list, replay or drop`);
    const chosen = values["all"] ? kept : kept.filter((d) => ids.some((id) => d._id === `deadletter:${id}`));
    if (!values["all"] && ids.length === 0) throw new UsageError(`drover deadletters ${verb} needs the ids to ${verb} (from 'drover deadletters list') or --all`);
    const missing = values["all"] ? [] : ids.filter((id) => !kept.some((d) => d._id === `deadletter:${id}`));
    if (missing.length > 0) throw new UsageError(`no parked message ${missing.join(", ")} ('drover deadletters list' shows them)`);
    let done = 0;
    for (const d of chosen) {
      if (verb === "replay") {
        const msg = replayable(d);
        if (!msg) {
          process.stderr.write(`drover: cannot replay ${line(d)}: it is not a whole, valid drover message; drop it\n`);
          continue;
        }
        const bus = await ctx.bus();
        await bus.publish(createMessage(msg.type, { group: msg.group, project: msg.project, attempt: msg.attempt, correlationId: msg.correlationId }, msg.body as never, bus.sender));
      }
      await removeDoc(store, d._id);
      done++;
    }
    process.stdout.write(`${verb === "replay" ? "replayed" : "dropped"} ${done} of ${chosen.length} parked message${chosen.length === 1 ? "" : "s"}\n`);
    return done === chosen.length ? 0 : 1;
  },
};

/** The parked message as a valid message again, or undefined when it never was one (or was cut). */
function replayable(d: DeadLetterDoc) {
  if (d.truncated || !isSelector(d.selector)) return undefined;
  try {
    return parseMessage(d.selector, JSON.parse(d.content));
  } catch {
    return undefined;
  }
}
