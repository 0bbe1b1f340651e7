#!/usr/bin/env node
// `drover` as npm installs it (node_modules/.bin/drover, so `npx drover …` from the repository):
// runs the compiled command line, building the TypeScript sources first when they have never
// been built (a fresh clone right after `npm install`). After editing the sources, `npm run
// build` (or `npm run drover -- …`, which builds first) brings the compiled code up to date.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
if (!existsSync(main)) {
  const root = fileURLToPath(new URL("../../../", import.meta.url));
  const tsc = `${root}node_modules/typescript/bin/tsc`;
  process.stderr.write(`drover: ${main} is not built yet: building the sources once (tsc -b in ${root})…\n`);
  const built = existsSync(tsc) ? spawnSync(process.execPath, [tsc, "-b"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] }).status : null;
  if (built !== 0) {
    process.stderr.write(`drover: the build failed${existsSync(tsc) ? " (see above)" : `: ${tsc} is missing, run 'npm install' in ${root}`}; then 'npm run build'\n`);
    process.exit(1);
  }
}
await import(main);
