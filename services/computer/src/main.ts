import { boot, startPhaseWorker, stopOnSignals } from "@drover/shared";

// The computer: takes project.compute.request messages, runs the compute in a worker thread, reports back.
const { config, log, bus } = await boot("computer", 1);
await startPhaseWorker("compute", bus, config, log);
stopOnSignals("computer", log, () => bus.close());
