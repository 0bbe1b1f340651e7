import { boot, startPhaseWorker, stopOnSignals } from "@drover/shared";

// The scanner: takes project.scan.request messages, runs the scan in a worker thread, reports back.
const { config, log, bus } = await boot("scanner", 1);
// Before consuming: a signal that comes with the first message still stops it cleanly.
stopOnSignals("scanner", log, () => bus.close(config.stopGraceMs), config.stopGraceMs + 20_000);
await startPhaseWorker("scan", bus, config, log);
