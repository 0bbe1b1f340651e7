import { connectBus, loadConfig, openCouchStore, silentLogger, type Bus, type Config, type DocStore, type Logger } from "@drover/shared";

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
    store: () => (store ??= openCouchStore(config.couchUrl, config.couchDb)),
    bus: () =>
      (bus ??= connectBus({ url: config.amqpUrl, exchange: config.exchange, service: "cli", logger: log, initialRetries: 3 })),
    async close() {
      if (bus) await (await bus).close();
    },
  };
}
