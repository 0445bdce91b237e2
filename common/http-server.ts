/**
 * Listening and graceful shutdown for the engine's and the BFF's HTTP servers: on close, new
 * connections are refused, in-flight requests are drained (long-lived streams end on their own
 * shutdown signal), then every remaining socket is closed.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type RunningServer = { server: http.Server; url: string; close: (drainMs?: number) => Promise<void> };

export async function listen(handler: http.RequestListener, host: string, port: number): Promise<RunningServer> {
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const server = http.createServer((req, res) => {
    inFlight++;
    res.once("close", () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${actual}`;
  const close = async (drainMs = 5000) => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if (inFlight > 0) {
      await new Promise<void>((resolve) => {
        drained = resolve;
        setTimeout(resolve, drainMs);
      });
    }
    server.closeAllConnections();
    await closed;
  };
  return { server, url, close };
}
