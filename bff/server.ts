/** Starting and stopping the BFF. */
import { listen } from "../common/http-server.ts";
import { type BffOptions, createBffApp } from "./app.ts";

export type BffHandle = { url: string; stop: () => Promise<void> };

export async function startBff(options: BffOptions & { host: string; port: number }): Promise<BffHandle> {
  const shutdown = new AbortController();
  const app = createBffApp(options);
  app.locals.shutdown = shutdown.signal;
  const server = await listen(app, options.host, options.port);
  options.log.info("bff listening", { url: server.url, engine: options.engineUrl });
  return {
    url: server.url,
    stop: async () => {
      shutdown.abort();
      await server.close();
    },
  };
}
