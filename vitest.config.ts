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
          exclude: [...configDefaults.exclude, "test/integration/**", "test/browser/**", "test/faults/**", "test/containers/**"],
          testTimeout: UNIT_TIMEOUT_MS,
          hookTimeout: UNIT_TIMEOUT_MS,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // The broker and database from testcontainers when no service URL is set (test/helpers/containers.ts).
          globalSetup: ["test/helpers/containers-setup.ts"],
          testTimeout: INTEGRATION_TIMEOUT_MS,
          hookTimeout: INTEGRATION_HOOK_TIMEOUT_MS,
        },
      },
      {
        extends: true,
        test: {
          // Fault injection against the real services (issue 11), each case on a 50-project group with
          // its own time bound (it(…, CASE_MS)): kill -9 of every service, a worker frozen past its
          // budget, RabbitMQ restarted (its own node), CouchDB away for 2 minutes, 26,000 garbage
          // messages; and the readers' fuzzing. Rows in var/faults-summary.json.
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
      {
        extends: true,
        test: {
          // The broker and database from testcontainers (issue 12; npm run test:containers).
          name: "containers",
          include: ["test/containers/**/*.test.ts"],
          globalSetup: ["test/helpers/containers-setup.ts"],
          testTimeout: INTEGRATION_TIMEOUT_MS,
          hookTimeout: INTEGRATION_HOOK_TIMEOUT_MS,
        },
      },
    ],
  },
});
