// The tests' time limits, in one place: vitest.config.ts hands them to vitest, and every wait in
// the helpers (wait.ts) ends before the limit of the test it runs in. A limit only stops a hang:
// it never measures speed (that is `npm run bench`), so a busy machine makes a test slower, never
// red. Generous on purpose.

/** Unit tests: no servers and no processes of drover's own. */
export const UNIT_TIMEOUT_MS = 2 * 60_000;

/** Integration tests start services and run whole groups through the pipeline. */
export const INTEGRATION_TIMEOUT_MS = 10 * 60_000;

/** Their beforeAll/afterAll: writing sample data, starting and stopping services, cleaning up. */
export const INTEGRATION_HOOK_TIMEOUT_MS = 5 * 60_000;
