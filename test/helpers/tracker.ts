import {
  type ProjectRequest,
  createMemoryStore,
  createMessage,
  silentLogger,
  storeLaunch,
  type Body,
  type BodyInput,
  type DocStore,
  type LaunchProject,
  type Message,
  type Selector,
} from "@drover/shared";
import { createTracker } from "../../services/state-tracker/src/tracker.js";

// The state-tracker in-process: a Map store and a bus that records what it publishes.

export function setup(settings: Partial<{ maxAttempts: number; autoAdvance: boolean; acceptWarnings: boolean }> = {}, wrap: (s: DocStore) => DocStore = (s) => s) {
  const store = createMemoryStore();
  const sent: Message[] = [];
  let failPublish = false;
  const bus = {
    sender: "state-tracker@test:1",
    async publish(m: Message) {
      if (failPublish) throw new Error("broker away");
      sent.push(m);
    },
    async consume() {},
  };
  const inner = createTracker({
    bus,
    store: wrap(store),
    log: silentLogger,
    settings: { maxAttempts: 3, autoAdvance: true, acceptWarnings: false, ...settings },
    workDir: "/work",
    completeDir: "/complete",
    reviewDelayMs: 0,
  });
  // Each message handled, and the group review it asked for done, before the test looks.
  const tracker = { ...inner, handle: async (m: Message) => {
    await inner.handle(m);
    await inner.idle();
  } };
  /** A register request as `drover launch` sends it: the projects stored first, the message naming them. */
  const registration = async (group: string, projects: LaunchProject[], extra: Partial<BodyInput<"group.register.request">> = {}) =>
    createMessage("group.register.request", { group }, { groupFile: "/g.csv", replace: false, ...extra, ...(await storeLaunch(store, group, projects)) }, "cli@test");
  const last = <S extends Selector>(type: S, project?: string) => {
    const m = [...sent].reverse().find((x) => x.type === type && (project === undefined || x.project === project));
    if (!m) throw new Error(`nothing sent on ${type}${project ? ` for ${project}` : ""}`);
    return m as Message<S>;
  };
  const reply = async <S extends Selector>(type: S, to: Message, body: BodyInput<S>) =>
    tracker.handle(createMessage(type, { group: to.group, project: to.project, attempt: to.attempt, correlationId: to.id }, body, "worker@test:2"));
  return {
    store,
    sent,
    tracker,
    registration,
    last,
    reply,
    setFailPublish: (v: boolean) => (failPublish = v),
  };
}

export const scanOk = (files = 2): Body<"project.scan.succeeded"> => ({
  inventory: "/work/in_progress/g/p/inventory.json",
  summary: { files, bytes: 10, variables: ["tas"], concatDim: "time", identicalDims: ["lat"], concatLength: 24, chunks: 4, issues: [] },
});
export const computeOk: Body<"project.compute.succeeded"> = {
  product: "/work/in_progress/g/p/z1.0a.zarr",
  summary: { format: "zarr", revision: "z1.0", variables: 3, chunksWritten: 9, bytesWritten: 0, seconds: 0.5 },
};
export const validateOk = (outcome: "Success" | "Warning" = "Success"): Body<"project.validate.succeeded"> => ({
  dataReport: "/work/d.json",
  metadataReport: "/work/m.json",
  summary: { outcome, status: outcome === "Success" ? "Success" : "Warn-global_title_not_equal", filesCompared: ["/a.nc"], valuesCompared: 10, fatal: [], warnings: outcome === "Success" ? [] : ["global_title_not_equal"], bypassed: [] },
});

export async function register(t: ReturnType<typeof setup>, codes: string[]) {
  await t.tracker.handle(await t.registration("g", codes.map((code) => ({ code, files: ["/data/a.nc", "/data/b.nc"], config: { format: "zarr" as const } }))));
}

export async function runToValidated(t: ReturnType<typeof setup>, code: string) {
  await t.reply("project.scan.started", t.last("project.scan.request", code), { worker: "scanner@1" });
  await t.reply("project.scan.succeeded", t.last("project.scan.request", code), scanOk());
  await t.reply("project.compute.succeeded", t.last("project.compute.request", code), computeOk);
  await t.reply("project.validate.succeeded", t.last("project.validate.request", code), validateOk());
}


/** The state-tracker's answer to a request it handled. */
export function answerTo(t: ReturnType<typeof setup>, request: Message): Body<"request.answered"> {
  const a = t.sent.find((m) => m.type === "request.answered" && m.correlationId === request.id);
  if (!a) throw new Error(`no answer to ${request.type}`);
  return (a as Message<"request.answered">).body;
}

/** Sends a request about a project of group g, as the CLI would, and returns the answer. */
export async function ask<S extends ProjectRequest>(t: ReturnType<typeof setup>, type: S, project: string, body: BodyInput<S>, group = "g"): Promise<Body<"request.answered">> {
  const m = createMessage(type, { group, project }, body, "cli@test");
  await t.tracker.handle(m);
  return answerTo(t, m);
}

/** Runs a registered project's phases until validation answers with `outcome`. */
export async function runToWarnings(t: ReturnType<typeof setup>, code: string): Promise<void> {
  await t.reply("project.scan.succeeded", t.last("project.scan.request", code), scanOk());
  await t.reply("project.compute.succeeded", t.last("project.compute.request", code), computeOk);
  await t.reply("project.validate.succeeded", t.last("project.validate.request", code), validateOk("Warning"));
}
