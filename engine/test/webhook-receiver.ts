/**
 * A real HTTP receiver for webhook tests, on a free port: it keeps every request (headers and
 * the raw body), counts every TCP connection made to it (even one that sent nothing), and answers
 * what `respond` says (200 unless told otherwise).
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Received = { headers: http.IncomingHttpHeaders; body: string; json: any; at: number };

export class WebhookReceiver {
  readonly requests: Received[] = [];
  /** TCP connections accepted, whether or not a request came on them. */
  connections = 0;
  respond: (req: Received, index: number) => number = () => 200;
  private server: http.Server | undefined;
  url = "";

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const received: Received = { headers: req.headers, body, json: safeJson(body), at: Date.now() };
        this.requests.push(received);
        const status = this.respond(received, this.requests.length - 1);
        res.writeHead(status, { "Content-Type": "text/plain" }).end(status < 300 ? "thanks" : "not now");
      });
    });
    this.server.on("connection", () => {
      this.connections++;
    });
    await new Promise<void>((resolve) => this.server?.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  ofEvent(event: string): Received[] {
    return this.requests.filter((r) => r.headers["x-sluice-event"] === event);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The README's verification recipe, as a receiver would write it: HMAC-SHA256 of the raw body
 * with the secret, hex, prefixed `sha256=`, compared in constant time with the header.
 */
export function verifySluiceSignature(secret: string, rawBody: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = `sha256=${crypto.createHmac("sha256", secret).update(rawBody).digest("hex")}`;
  return header.length === expected.length && crypto.timingSafeEqual(Buffer.from(header), Buffer.from(expected));
}
