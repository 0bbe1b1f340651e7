import { askTracker as ask, type AnsweredRequest, type Answer, type BodyInput, type MessageFields } from "@drover/shared";
import type { Context } from "./context.js";

export type { Answer };

/** Sends a request to the state-tracker on the context's bus and waits for its answer. */
export async function askTracker<S extends AnsweredRequest>(ctx: Context, type: S, fields: MessageFields, body: BodyInput<S>, timeoutSeconds: number): Promise<Answer> {
  return ask(await ctx.bus(), type, fields, body, timeoutSeconds);
}
