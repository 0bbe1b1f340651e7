import { main } from "./entry.js";

// The shepherd service: `npm run shepherd` (modes and options: entry.ts).
const code = await main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`shepherd: ${(e as Error).message}\n`);
  return 1;
});
if (code !== 0) process.exit(code);
