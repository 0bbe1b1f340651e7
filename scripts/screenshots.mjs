// Regenerates the dashboard's screenshots in docs/: the overview, the board mid-run and a project
// page. Runs its own services on an exchange and database of its own (deleted afterwards), with
// sample data in a temporary directory: nothing of a site's own state is touched.
// Called by scripts/screenshots.sh, which builds and starts RabbitMQ and the CouchDB API first.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import Nano from "nano";
import { chromium } from "playwright-core";
import { deleteTopology, demoSeries, writeDemoGroup, writeSeries } from "../shared/dist/index.js";

const root = join(import.meta.dirname, "..");
const docs = join(root, "docs");
const amqpUrl = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const couchUrl = process.env.COUCHDB_URL ?? `http://127.0.0.1:${process.env.DROVER_COUCH_PORT ?? 5984}`;
const id = randomUUID().slice(0, 8);
const exchange = `drover-shots-${id}`;
const db = `drover_shots_${id}`;
const home = mkdtempSync(join(tmpdir(), "drover-shots-"));
const data = join(home, "data");
const token = "screenshots-token";
const env = { ...process.env, AMQP_URL: amqpUrl, AMQP_EXCHANGE: exchange, COUCHDB_URL: couchUrl, COUCHDB_DB: db, DROVER_HOME: home, DROVER_DATA_ROOTS: data, DROVER_LOG_FORMAT: "json", DROVER_MAX_ATTEMPTS: "1", DROVER_DASHBOARD_PORT: "0", DROVER_DASHBOARD_TOKEN: token };
const procs = [];

function start(name) {
  const p = spawn(process.execPath, [join(root, "services", name, "dist", "main.js")], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const ready = new Promise((resolve, reject) => {
    const on = (d) => {
      out += d.toString();
      const m = /"msg":"(listening on |state-tracker ready|dashboard ready on (http:\/\/[^\s"]+))/.exec(out);
      if (m) resolve(m[2]);
    };
    p.stdout.on("data", on);
    p.stderr.on("data", on);
    p.once("exit", (code) => reject(new Error(`${name} exited (${code}) before it was ready:\n${out.slice(-2000)}`)));
  });
  procs.push(p);
  return ready;
}

function cli(...args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(root, "services", "cli", "dist", "main.js"), ...args], { env, stdio: ["ignore", "inherit", "inherit"] });
    p.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`drover ${args.join(" ")} exited ${code}`))));
  });
}

async function waitFor(what, check, ms = 180_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let browser;
try {
  // The data: the demo group as a batch of twelve projects (four of each series), a group with a
  // truncated file, and one whose product leaves a variable out (a warning to review).
  const sample = await writeDemoGroup(data);
  const lines = ["project_code,pattern"];
  for (const [code, files] of Object.entries(sample.projects)) {
    const list = join(data, `${code}.txt`);
    writeFileSync(list, `${files.join("\n")}\n`);
    for (let i = 1; i <= 4; i++) lines.push(`${code.split("_")[0]}-member${i},${list}`);
  }
  writeFileSync(join(data, "cmip6-batch1.csv"), `${lines.join("\n")}\n`);
  const tas = "tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn";
  const broken = join(data, "broken");
  mkdirSync(broken, { recursive: true });
  copyFileSync(sample.projects[tas][0], join(broken, "tas_part1.nc"));
  copyFileSync(sample.projects[tas][1], join(broken, "tas_part2.nc"));
  truncateSync(join(broken, "tas_part2.nc"), Math.floor(statSync(join(broken, "tas_part2.nc")).size / 3));
  writeFileSync(join(broken, "cmip6-repairs.csv"), `project_code,pattern\ntas-truncated,${join(broken, "tas_part*.nc")}\ntos-fine,${join(data, "demo", "tos", "files.txt")}\n`);
  const warned = join(data, "warned");
  await writeSeries(warned, "kept", { ...demoSeries[tas], steps: [6, 6], also: [{ variable: "huss", standardName: "specific_humidity", longName: "Near-Surface Specific Humidity", units: "1", value: () => 0.01 }] }, 7);
  writeFileSync(join(warned, "cmip6-review.csv"), `project_code,pattern,updates,removals,keep\ntas-only,${join(warned, "tas_*.nc")},,,tas\n`);

  const services = ["state-tracker", "scanner", "computer", "validator", "completion"].map(start);
  const url = await start("dashboard");
  await Promise.all(services);
  browser = await chromium.launch({
    executablePath: process.env.DROVER_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  mkdirSync(docs, { recursive: true });

  await cli("launch", join(broken, "cmip6-repairs.csv"));
  await cli("launch", join(warned, "cmip6-review.csv"));
  // The board mid-run: the moment cards are spread over at least three columns, one of them working.
  await page.goto(`${url}#/board?group=cmip6-batch1`);
  await page.waitForSelector("[data-live=on]");
  await cli("launch", join(data, "cmip6-batch1.csv"));
  await waitFor("the board mid-run", () =>
    page.evaluate(() => {
      const cols = [...document.querySelectorAll("[data-column]")].filter((c) => c.querySelector("[data-card]"));
      const working = cols.some((c) => /ing$/.test(c.getAttribute("data-column") ?? ""));
      return cols.length >= 3 && working;
    }),
  );
  await page.screenshot({ path: join(docs, "dashboard-board.png") });
  console.log("wrote docs/dashboard-board.png");

  const state = (g) => fetch(`${url}api/overview`).then((r) => r.json()).then((o) => o.groups.find((x) => x.name === g)?.state);
  await waitFor("cmip6-batch1 to complete", async () => (await state("cmip6-batch1")) === "Completed");
  await waitFor("the other groups to come to rest", async () => {
    const b = await fetch(`${url}api/board`).then((r) => r.json());
    return b.columns.filter((c) => /ing$/.test(c.state)).every((c) => c.count === 0);
  });
  await page.goto(`${url}#/overview`);
  await page.waitForSelector('[data-group="cmip6-batch1"]');
  await page.screenshot({ path: join(docs, "dashboard-overview.png") });
  console.log("wrote docs/dashboard-overview.png");

  await page.goto(`${url}#/project/cmip6-repairs/tas-truncated`);
  await page.waitForSelector("[data-last-error]");
  await page.screenshot({ path: join(docs, "dashboard-project.png"), fullPage: false });
  console.log("wrote docs/dashboard-project.png");
} finally {
  await browser?.close().catch(() => undefined);
  for (const p of procs) p.kill("SIGTERM");
  await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r() : p.once("exit", r)))));
  await deleteTopology(amqpUrl, exchange).catch((e) => console.warn(`could not delete ${exchange}: ${e.message}`));
  await Nano(couchUrl).db.destroy(db).catch((e) => console.warn(`could not delete ${db}: ${e.message}`));
  rmSync(home, { recursive: true, force: true });
}
