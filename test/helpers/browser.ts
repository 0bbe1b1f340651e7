import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

// Headless Chromium for the dashboard's browser tests: Debian's own build (browser downloads are
// impossible here), with the flags that keep it off the network, on a fresh profile (playwright
// gives every launch its own temporary --user-data-dir).
// scripts/test.sh installs it when missing; under CI=true a missing browser fails, never skips.

export const CHROMIUM = process.env["DROVER_CHROMIUM"] ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const msg = `browser tests need Chromium at ${CHROMIUM}: run them with 'npm test', which installs Debian's chromium (as root), or set DROVER_CHROMIUM`;
  if (process.env["CI"] === "true") throw new Error(msg);
  console.warn(`SKIPPED: ${msg}`);
  return false;
}

export interface HeadlessBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<HeadlessBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

/** The URL a dashboard said it listens on ("dashboard ready on http://127.0.0.1:PORT/"). */
export function dashboardUrl(output: string): string {
  const m = /dashboard ready on (http:\/\/[^\s"]+)/.exec(output);
  if (!m?.[1]) throw new Error(`the dashboard did not say where it listens; its output:\n${output.slice(-2000)}`);
  return m[1];
}
