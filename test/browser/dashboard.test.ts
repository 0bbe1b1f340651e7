import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadLetterDoc, demoSeries, openCouchStore, readProject, writeDemoGroup, writeSeries, type DocStore } from "@drover/shared";
import { chromiumAvailable, dashboardUrl, launchChromium, type HeadlessBrowser } from "../helpers/browser.js";
import { runCli, startService, type Running } from "../helpers/processes.js";
import { COUCHDB_URL, isolate, serviceEnv, servicesAvailable } from "../helpers/services.js";
import { timeLeft, within } from "../helpers/wait.js";
import { compoundCdl, ncgen } from "../helpers/ncgen.js";

// The dashboard in a real browser (Debian's headless Chromium) against the real stack: a broker
// exchange and a database of its own, every service, and the dashboard. Every wait is on a
// condition in the page (playwright polls it), never a fixed sleep.

const available = (await servicesAvailable()) && chromiumAvailable();
const TOKEN = "browser-test-token";
const tas = "tas_Amon_DROVER-DEMO_historical_r1i1p1f1_gn";

describe.skipIf(!available)("the dashboard in a browser, on the real stack", () => {
  const iso = isolate("browser");
  const home = mkdtempSync(join(tmpdir(), "drover-browser-"));
  const data = join(home, "data");
  const env = serviceEnv(iso, home, data, { DROVER_MAX_ATTEMPTS: "1", DROVER_DASHBOARD_PORT: "0", DROVER_DASHBOARD_TOKEN: TOKEN });
  let running: Running[] = [];
  let dashboard: Running;
  let store: DocStore;
  let chromium: HeadlessBrowser;
  let url = "";
  let sample: Awaited<ReturnType<typeof writeDemoGroup>>;

  beforeAll(async () => {
    sample = await writeDemoGroup(data);
    running = ["state-tracker", "scanner", "computer", "validator", "completion"].map((s) => startService(s, env));
    dashboard = startService("dashboard", env);
    running.push(dashboard);
    store = await openCouchStore(COUCHDB_URL, iso.db);
    await Promise.all(running.map((r) => r.ready()));
    url = dashboardUrl(dashboard.output());
    chromium = await launchChromium();
  });

  afterAll(async () => {
    if (process.env["DROVER_TEST_LOGS"]) for (const r of running) console.log(`--- ${r.name}\n${r.output()}`);
    await within(chromium?.close() ?? Promise.resolve(), 30_000);
    await Promise.all(running.map((r) => r.stop()));
    await iso.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  /** Waits until `predicate` holds in the page, at the latest a little before the test's own limit. */
  const until = (page: Page, what: string, predicate: string) =>
    page.waitForFunction(predicate, null, { timeout: timeLeft() }).catch((e: unknown) => {
      throw new Error(`gave up waiting for ${what} in the page: ${(e as Error).message.split("\n")[0]}`);
    });

  /** A page with the token entered once in its header (as an operator would). */
  async function openWithToken(hash: string): Promise<Page> {
    const page = await chromium.browser.newPage();
    await page.goto(`${url}#${hash}`);
    await page.fill('form.token input[name="token"]', TOKEN);
    await page.fill('form.token input[name="operator"]', "tester");
    await page.click('form.token button[type="submit"]');
    await page.waitForSelector(".token-set");
    return page;
  }

  /**
   * Waits until the project page shows `state`; a project that comes to rest where it should not
   * (failed, set aside, or past a warning it should stop at) fails at once, naming where. With
   * `leaving`, first waits for the page to show another state than that one.
   */
  const stateOn = async (page: Page, state: string, leaving?: string) => {
    // After an action the page shows the state it acted on until the change arrives.
    if (leaving) await until(page, `the project page to leave ${leaving}`, `(document.querySelector('[data-project-state]')?.dataset.projectState ?? ${JSON.stringify(leaving)}) !== ${JSON.stringify(leaving)}`);
    const wrong = ["ScanFailed", "ComputeFailed", "ValidationFailed", "CompletionFailed", "Quarantined", "Faultlisted", ...(state === "ValidatedWithWarnings" ? ["Validated", "Completed"] : [])].filter((s) => s !== state);
    const states = [state, ...wrong].map((s) => JSON.stringify(s)).join(", ");
    await until(page, `the project page to show ${state}`, `[${states}].includes(document.querySelector('[data-project-state]')?.dataset.projectState)`);
    const shown = await page.getAttribute("[data-project-state]", "data-project-state");
    if (shown !== state) throw new Error(`the project came to rest ${shown}, not ${state}: ${await page.textContent(".errors")}`);
  };

  it("shows a launched group's cards move to Completed live, without a reload", async () => {
    const page = await chromium.browser.newPage();
    await page.goto(`${url}#/board?group=sample`);
    await until(page, "the live stream", `document.querySelector('[data-live]')?.dataset.live === "on"`);
    // A mark that a reload would wipe out, and every state a card is seen in.
    // (Scripts in the page are strings: the tests are type-checked without the DOM's types.)
    await page.evaluate(`
      window.droverMark = true;
      window.seenStates = new Set();
      new MutationObserver(() => document.querySelectorAll("[data-card]").forEach((c) => window.seenStates.add(c.dataset.state)))
        .observe(document.body, { subtree: true, childList: true, attributes: true });
    `);
    const launched = await runCli(["launch", sample.groupFile, "--group", "sample"], env);
    expect(launched.code, launched.stderr).toBe(0);
    await until(page, "three cards in the Completed column", `document.querySelectorAll('[data-column="Completed"] [data-card^="sample/"]').length === 3`);
    const seen = (await page.evaluate(`({ mark: window.droverMark === true, states: [...window.seenStates] })`)) as { mark: boolean; states: string[] };
    expect(seen.mark, "the page was not reloaded").toBe(true);
    expect(seen.states.length, `states seen: ${seen.states.join(", ")}`).toBeGreaterThan(1);
    expect(await page.textContent('[data-column="Completed"] .column-count')).toBe("3");
    // The overview counts them too.
    await page.evaluate(`location.hash = "#/overview"`);
    await until(page, "the overview's row of the group", `document.querySelector('[data-group="sample"]')?.textContent?.includes("Completed 3") === true`);
    await page.close();
  });

  it("names the broken file of a failed project, and completes it when retried from the page after the fix", async () => {
    const dir = join(data, "broken");
    mkdirSync(dir, { recursive: true });
    const files = sample.projects[tas] ?? [];
    const cut = join(dir, "tas_part2.nc");
    copyFileSync(files[0] ?? "", join(dir, "tas_part1.nc"));
    copyFileSync(files[1] ?? "", cut);
    truncateSync(cut, Math.floor(statSync(cut).size / 3));
    const csv = join(dir, "broken.csv");
    writeFileSync(csv, `project_code,pattern\ntruncated,${join(dir, "tas_part*.nc")}\n`);

    const page = await openWithToken("/project/broken/truncated");
    const launched = await runCli(["launch", csv], env);
    expect(launched.code, launched.stderr).toBe(0);
    await stateOn(page, "ScanFailed");
    expect(await page.textContent(".error-file")).toBe(cut);
    expect(await page.textContent("[data-last-error]")).toContain("SourceFormatError");

    copyFileSync(files[1] ?? "", cut);
    await page.click('[data-actions="project"] [data-action="retry"]');
    await page.click('[data-actions="project"] .action-form button.confirm');
    await until(page, "the tracker's answer", `document.querySelector('.action-result')?.textContent?.includes("truncated: done") === true`);
    await stateOn(page, "Completed", "ScanFailed");
    const p = await readProject(store, "project:broken:truncated");
    expect(p?.history.map((h) => h.reason).join("\n")).toContain("dashboard:tester");
    expect(await page.textContent(".timeline")).toContain("dashboard:tester");
    await page.close();
  });

  it("refuses an action without the token, and accepts a validation warning from the page with it", async () => {
    // Files holding a compound variable beside tas: a Zarr v2 product cannot carry it, so the
    // validator warns that it is missing (a warning to review, not a failure). (Variables that
    // keep_vars leaves out are left out on purpose, and no longer warned about.)
    const dir = join(data, "warned");
    ncgen(join(dir, "tas_1.nc"), compoundCdl("a", 0));
    ncgen(join(dir, "tas_2.nc"), compoundCdl("b", 2));
    const csv = join(dir, "warned.csv");
    writeFileSync(csv, `project_code,pattern\nkept,${join(dir, "tas_*.nc")}\n`);
    const launched = await runCli(["launch", csv], env);
    expect(launched.code, launched.stderr).toBe(0);

    // No token entered: the page's button is refused, and nothing reaches the state-tracker.
    const anonymous = await chromium.browser.newPage();
    await anonymous.goto(`${url}#/project/warned/kept`);
    await stateOn(anonymous, "ValidatedWithWarnings");
    expect(await anonymous.textContent(".report")).toMatch(/warning/);
    const before = (await readProject(store, "project:warned:kept"))?.history.length;
    await anonymous.click('[data-actions="project"] [data-action="accept"]');
    await anonymous.click('[data-actions="project"] .action-form button.confirm');
    await until(anonymous, "the refusal", `document.querySelector('.action-error')?.textContent?.includes("token") === true`);
    // The API itself: no token is 401, a wrong one 403.
    const post = (headers: Record<string, string>) => fetch(`${url}api/actions`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify({ action: "accept", group: "warned", project: "kept" }) }).then((r) => r.status);
    const statuses = [await post({}), await post({ Authorization: "Bearer not-the-token" })];
    expect(statuses).toEqual([401, 403]);
    expect((await readProject(store, "project:warned:kept"))?.history.length).toBe(before);
    expect((await readProject(store, "project:warned:kept"))?.state).toBe("ValidatedWithWarnings");
    await anonymous.close();

    const page = await openWithToken("/project/warned/kept");
    await stateOn(page, "ValidatedWithWarnings");
    await page.click('[data-actions="project"] [data-action="accept"]');
    await page.fill('[data-actions="project"] .action-form input[name="text"]', "bounds left out on purpose");
    await page.click('[data-actions="project"] .action-form button.confirm');
    await stateOn(page, "Completed", "ValidatedWithWarnings");
    const p = await readProject(store, "project:warned:kept");
    expect(p?.acceptedBy).toBe("dashboard:tester");
    expect(p?.history.some((h) => h.reason.includes("warnings accepted by dashboard:tester: bounds left out on purpose") || h.reason.includes("warnings accepted by dashboard:tester"))).toBe(true);
    await page.close();
  });

  it("shows the bus's queues and the charts", async () => {
    // A message the state-tracker parked (as it keeps what it takes off the dead-letter queue).
    await store.put(
      deadLetterDoc({ messageId: "parked-for-the-page", routingKey: "project.scan.request", content: Buffer.from('{"type":"project.scan.request","group":"sample","project":"ghost"}'), queue: "scanner", reason: "refused by its handler: no such project", explained: true, retries: 2 }, new Date().toISOString()),
    );
    const page = await chromium.browser.newPage();
    await page.goto(`${url}#/bus`);
    await until(page, "the queue table", `document.querySelectorAll("table.queues tbody tr").length > 10`);
    expect(await page.textContent("table.queues")).toContain("project.scan.request");
    await until(page, "the parked messages", `document.querySelectorAll("table.parked tbody tr").length >= 1`);
    const parkedText = await page.textContent("table.parked");
    expect(parkedText).toContain("parked-for-the-page");
    expect(parkedText).toContain("refused by its handler: no such project after 2 retries");
    expect(parkedText).toContain("sample/ghost");
    await page.evaluate(`location.hash = "#/charts"`);
    await until(page, "the charts", `document.querySelectorAll("svg.chart").length === 3`);
    expect(await page.textContent("main")).toContain("SourceFormatError");
    await page.close();
    // The products the page links to exist.
    expect(readdirSync(join(home, "complete", "sample", "data"))).toHaveLength(3);
  });
});
