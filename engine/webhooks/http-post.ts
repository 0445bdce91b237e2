/**
 * One webhook request: POST the body with its headers to an allowed address (see
 * `address-policy.ts`: a literal host is judged before connecting, a name's addresses in the
 * lookup, the connected address before a byte is written), give up after the timeout, never
 * follow redirects, and keep the first kilobytes of the answer for the delivery log.
 */
import http from "node:http";
import https from "node:https";
import {
  AddressNotAllowedError,
  guardConnection,
  guardedLookup,
  hostOf,
  literalRefusal,
} from "../use-cases/webhooks/address-policy.ts";

const KEEP_BYTES = 2048;

/** How the delivery log names a request refused by the address policy (the code creation answers with). */
export const REFUSED_CODE = "webhook_url_not_allowed";

export type PostResult =
  | { ok: boolean; status: number; body: string; durationMs: number }
  | { ok: false; status: null; error: string; refused: boolean; durationMs: number };

export function postWebhook(opts: {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
}): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const url = new URL(opts.url);
  const refused = literalRefusal(url, opts.allowPrivate);
  if (refused) return Promise.resolve(failure(refused, elapsed()));
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const client = url.protocol === "https:" ? https : http;
    const req = client.request(
      url,
      {
        method: "POST",
        headers: { ...opts.headers, "Content-Length": String(Buffer.byteLength(opts.body)) },
        lookup: guardedLookup(opts.allowPrivate),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on("data", (chunk: Buffer) => {
          if (kept < KEEP_BYTES) {
            chunks.push(chunk.subarray(0, KEEP_BYTES - kept));
            kept += Math.min(chunk.length, KEEP_BYTES - kept);
          }
        });
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          finish({
            ok: status >= 200 && status < 300,
            status,
            body: Buffer.concat(chunks).toString("utf8"),
            durationMs: elapsed(),
          });
        });
        res.on("error", (err) => finish(failure(err, elapsed())));
      },
    );
    req.on("socket", (socket) => guardConnection(socket, hostOf(url), opts.allowPrivate));
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${opts.timeoutMs / 1000}s`));
    }, opts.timeoutMs);
    req.on("error", (err) => finish(failure(err, elapsed())));
    req.end(opts.body);
  });
}

function failure(err: Error, durationMs: number): PostResult {
  const refused = err instanceof AddressNotAllowedError;
  const code = (err as NodeJS.ErrnoException).code;
  return {
    ok: false,
    status: null,
    error: refused ? `${REFUSED_CODE}: ${err.message}` : code ? `${code}: ${err.message}` : err.message,
    refused,
    durationMs,
  };
}
