import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";
import { INTEGRATION_HOOK_TIMEOUT_MS, INTEGRATION_TIMEOUT_MS, UNIT_TIMEOUT_MS } from "./test/helpers/timeouts.js";

export default defineConfig({
  resolve: {
    alias: {
      "@drover/shared": fileURLToPath(new URL("./shared/src/index.ts", import.meta.url)),
    },
  },
  test: {
    // Integration tests start real processes and share one broker: run files one at a time
    // (vitest 3 applies this to the whole run, not per project).
    fileParallelism: false,
    pool: "forks",
    // Time limits (test/helpers/timeouts.ts) are longer than any wait inside a test: waits end
    // on events, and at the latest a little before their test's own limit (test/helpers/wait.ts).
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/integration/**", "test/browser/**", "test/faults/**"],
          testTimeout: UNIT_TIMEOUT_MS,
          hookTimeout: UNIT_TIMEOUT_MS,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          testTimeout: INTEGRATION_TIMEOUT_MS,
          hookTimeout: INTEGRATION_HOOK_TIMEOUT_MS,
        },
      },
      {
        extends: true,
        test: {
          // Fault injection against the real services (issue 11): a database outage, and more to come.
          name: "faults",
          include: ["test/faults/**/*.test.ts"],
          testTimeout: INTEGRATION_TIMEOUT_MS,
          hookTimeout: INTEGRATION_HOOK_TIMEOUT_MS,
        },
      },
      {
        extends: true,
        test: {
          // The dashboard in headless Chromium against the real stack (test/helpers/browser.ts).
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          testTimeout: INTEGRATION_TIMEOUT_MS,
          hookTimeout: INTEGRATION_HOOK_TIMEOUT_MS,
        },
      },
    ],
  },
});
