import { writeFileSync } from "node:fs";

// Loaded with `node --import` by the benchmark: the process's peak resident memory (kB), written
// where DROVER_RSS_FILE says as it exits.

const to = process.env["DROVER_RSS_FILE"];
if (to) process.on("exit", () => writeFileSync(to, String(process.resourceUsage().maxRSS)));
