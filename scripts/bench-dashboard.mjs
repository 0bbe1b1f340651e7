// `npm run bench -- --dashboard`: the dashboard with a group of 10,000 projects (written straight
// into a database of its own, in a spread of states), timed in headless Chromium: first paint and
// the board drawn (median of 5 fresh pages), the API's answers, and a burst of 2,000 state changes
// on the bus while the board is open (the page's longest task: does it freeze?). Not a test: the
// figures go to bench/results.json ("dashboard"). Called by scripts/bench.sh after it started the stack.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import Nano from "nano";
import { chromium } from "playwright-core";
import { connectBus, deleteTopology, newGroup, newProject, openCouchStore, silentLogger } from "../shared/dist/index.js";

const root = join(import.meta.dirname, "..");
const N = Number(process.env.DROVER_BENCH_PROJECTS ?? 10_000);
const ROUNDS = 5;
const amqpUrl = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const couchUrl = process.env.COUCHDB_URL ?? `http://127.0.0.1:${process.env.DROVER_COUCH_PORT ?? 5984}`;
const id = randomUUID().slice(0, 8);
const exchange = `drover-bench-dash-${id}`;
const db = `drover_bench_dash_${id}`;
const home = mkdtempSync(join(tmpdir(), "drover-bench-dash-"));
const say = (s) => process.stderr.write(`${s}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => Math.round(x * 10) / 10;

let dashboard;
let browser;
let bus;
try {
  say(`dashboard bench: writing a group of ${N} projects…`);
  const store = await openCouchStore(couchUrl, db);
  const now = new Date().toISOString();
  const codes = Array.from({ length: N }, (_, i) => `p${String(i).padStart(5, "0")}`);
  await store.put(newGroup("big", "/data/big.csv", codes, now));
  // A spread of states, most projects done, some working, a few needing a person.
  const spread = ["Completed", "Completed", "Completed", "Validated", "Validating", "Computing", "Scanning", "Registered", "ScanFailed", "ValidatedWithWarnings"];
  for (let i = 0; i < N; i += 1000) {
    const docs = codes.slice(i, i + 1000).map((code, j) => ({ ...newProject("big", code, [`/data/big/${code}.nc`], { format: "kerchunk" }, `/work/${code}`, now), state: spread[(i + j) % spread.length] }));
    await store.putMany(docs);
  }
  const env = { ...process.env, AMQP_URL: amqpUrl, AMQP_EXCHANGE: exchange, COUCHDB_URL: couchUrl, COUCHDB_DB: db, DROVER_HOME: home, DROVER_LOG_FORMAT: "json", DROVER_DASHBOARD_PORT: "0" };
  dashboard = spawn(process.execPath, [join(root, "services", "dashboard", "dist", "main.js")], { env, stdio: ["ignore", "pipe", "pipe"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const on = (d) => {
      out += d.toString();
      const m = /dashboard ready on (http:\/\/[^\s"]+)/.exec(out);
      if (m) resolve(m[1]);
    };
    dashboard.stdout.on("data", on);
    dashboard.stderr.on("data", on);
    dashboard.once("exit", (c) => reject(new Error(`the dashboard exited (${c}):\n${out}`)));
  });

  const api = {};
  for (const [name, path] of [["overview", "api/overview"], ["board", "api/board"], ["boardOneState", "api/board?state=Completed"], ["boardText", "api/board?text=p0999"], ["charts", "api/charts"]]) {
    const times = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t = performance.now();
      const res = await fetch(`${url}${path}`);
      await res.arrayBuffer();
      times.push(performance.now() - t);
    }
    // The first answer computes the counts; the dashboard keeps them until the bus reports a change.
    api[name] = { firstMs: ms(times[0]), medianMs: ms(median(times)), bytes: Number((await fetch(`${url}${path}`).then((r) => r.arrayBuffer())).byteLength) };
    say(`  GET /${path}: first ${api[name].firstMs} ms, then median ${api[name].medianMs} ms, ${api[name].bytes} bytes`);
  }

  browser = await chromium.launch({
    executablePath: process.env.DROVER_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const paint = { firstContentfulPaintMs: [], boardDrawnMs: [], overviewDrawnMs: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${url}#/board?group=big`);
    await page.waitForSelector('[data-column="Completed"] [data-card]');
    const t = await page.evaluate(() => ({ fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1, drawn: performance.now() }));
    paint.firstContentfulPaintMs.push(t.fcp);
    paint.boardDrawnMs.push(t.drawn);
    await page.close();
    const o = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await o.goto(`${url}#/overview`);
    await o.waitForSelector('[data-group="big"]');
    paint.overviewDrawnMs.push(await o.evaluate(() => performance.now()));
    await o.close();
  }
  const page = {
    firstContentfulPaintMs: ms(median(paint.firstContentfulPaintMs)),
    boardDrawnMs: ms(median(paint.boardDrawnMs)),
    overviewDrawnMs: ms(median(paint.overviewDrawnMs)),
  };
  say(`  page: first contentful paint ${page.firstContentfulPaintMs} ms, board drawn ${page.boardDrawnMs} ms, overview drawn ${page.overviewDrawnMs} ms (median of ${ROUNDS}, from navigation)`);

  // Live: 2,000 state changes as fast as the bus takes them, the board open.
  const burst = 2000;
  const live = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await live.goto(`${url}#/board?group=big`);
  await live.waitForSelector("[data-live=on]");
  await live.evaluate(() => {
    window.longest = 0;
    window.batches = 0;
    new PerformanceObserver((l) => l.getEntries().forEach((e) => (window.longest = Math.max(window.longest, e.duration)))).observe({ type: "longtask", buffered: false });
    new EventSource("/api/events").addEventListener("changes", () => window.batches++);
  });
  bus = await connectBus({ url: amqpUrl, exchange, service: "bench", logger: silentLogger });
  const t0 = performance.now();
  for (let i = 0; i < burst; i++) {
    const code = codes[i % N];
    await bus.send("project.state.changed", { group: "big", project: code }, { from: "Scanning", to: "Scanned", reason: "bench", seq: i });
  }
  const sent = performance.now() - t0;
  await live.waitForFunction(() => window.batches > 0);
  // The page settles: no batch for a second.
  let seen = -1;
  for (;;) {
    const b = await live.evaluate(() => window.batches);
    if (b === seen) break;
    seen = b;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const longest = await live.evaluate(() => window.longest);
  const liveFigures = { stateChanges: burst, sentInMs: ms(sent), batches: seen, longestTaskMs: ms(longest) };
  say(`  live: ${burst} state changes sent in ${liveFigures.sentInMs} ms arrived as ${seen} batches; the page's longest task ${liveFigures.longestTaskMs} ms`);

  const out = join(root, "bench", "results.json");
  const results = existsSync(out) ? JSON.parse(readFileSync(out, "utf8")) : {};
  results.dashboard = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? "?", node: process.version },
    note: `One group of ${N} projects written straight into the database (a spread of states), on the embedded CouchDB API unless COUCHDB_URL says otherwise; the dashboard alone, in headless Chromium (Debian's). Page times from navigation start, median of ${ROUNDS} fresh pages (the counts of the group cached by the dashboard after the first request, as they are between changes); API times: the first request, then the median of ${ROUNDS}. live: state changes published on the bus with the board open; longestTaskMs is the page's longest task (a freeze would show there).`,
    projects: N,
    api,
    page,
    live: liveFigures,
  };
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  say(`results written to ${out} ("dashboard")`);
} finally {
  await browser?.close().catch(() => undefined);
  await bus?.close().catch(() => undefined);
  if (dashboard && dashboard.exitCode === null) {
    dashboard.kill("SIGTERM");
    await new Promise((r) => dashboard.once("exit", r));
  }
  await deleteTopology(amqpUrl, exchange).catch((e) => say(`could not delete ${exchange}: ${e.message}`));
  await Nano(couchUrl).db.destroy(db).catch((e) => say(`could not delete ${db}: ${e.message}`));
  rmSync(home, { recursive: true, force: true });
}
