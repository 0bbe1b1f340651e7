// The TaskPool thread the tests use: drover's tasks plus some that misbehave on purpose.
export const POOL_THREAD = new URL("./pool-thread.mjs", import.meta.url);
