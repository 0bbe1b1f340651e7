import { boot, startPhaseWorker, stopOnSignals } from "@drover/shared";

// The validator: takes project.validate.request messages, runs the validate in a worker thread, reports back.
const { config, log, bus } = await boot("validator", 1);
// Before consuming: a signal that comes with the first message still stops it cleanly.
stopOnSignals("validator", log, () => bus.close(config.stopGraceMs), config.stopGraceMs + 20_000);
await startPhaseWorker("validate", bus, config, log);
