import { boot, startPhaseWorker, stopOnSignals } from "@drover/shared";

// The computer: takes project.compute.request messages, runs the compute in a worker thread, reports back.
const { config, log, bus } = await boot("computer", 1);
// Before consuming: a signal that comes with the first message still stops it cleanly.
stopOnSignals("computer", log, () => bus.close(config.stopGraceMs), config.stopGraceMs + 20_000);
await startPhaseWorker("compute", bus, config, log);
