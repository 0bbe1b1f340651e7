import { boot, startPhaseWorker, stopOnSignals } from "@drover/shared";

// The validator: takes project.validate.request messages, runs the validate in a worker thread, reports back.
const { config, log, bus } = await boot("validator", 1);
await startPhaseWorker("validate", bus, config, log);
stopOnSignals("validator", log, () => bus.close());
