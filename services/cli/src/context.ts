import type { Bus } from "@drover/shared/bus";
import { loadConfig, type Config } from "@drover/shared/config";
import { silentLogger, type Logger } from "@drover/shared/log";
import type { DocStore } from "@drover/shared/store";

// What a command may need, opened only when it asks: config always, broker and database lazily.

export interface Context {
  config: Config;
  log: Logger;
  store(): Promise<DocStore>;
  bus(): Promise<Bus>;
  close(): Promise<void>;
}

export function createContext(log: Logger = silentLogger): Context {
  const config = loadConfig();
  let store: Promise<DocStore> | undefined;
  let bus: Promise<Bus> | undefined;
  return {
    config,
    log,
    store: () => (store ??= import("@drover/shared/store").then((m) => m.openCouchStore(config.couchUrl, config.couchDb))),
    bus: () =>
      (bus ??= import("@drover/shared/bus").then((m) => m.connectBus({ url: config.amqpUrl, exchange: config.exchange, service: "cli", logger: log, initialRetries: 3 }))),
    async close() {
      if (bus) await (await bus).close();
    },
  };
}
