import { boot, startPhaseWorker, stopOnSignals } from "@drover/shared";

// The scanner: takes project.scan.request messages, runs the scan in a worker thread, reports back.
const { config, log, bus } = await boot("scanner", 1);
await startPhaseWorker("scan", bus, config, log);
stopOnSignals("scanner", log, () => bus.close());
