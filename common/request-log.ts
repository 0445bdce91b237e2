/**
 * Request ids and request logs for the engine and the BFF (pino-http): every request gets an id
 * (the caller's `X-Request-Id` when it sends a sane one), answered in `X-Request-Id` and carried
 * by every log line about it; finished requests are logged at debug, server errors at error.
 */
import crypto from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pinoHttp } from "pino-http";
import type { Logger } from "./logger.ts";

const SANE_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function requestLog(log: Logger) {
  return pinoHttp({
    logger: log.pino,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers["x-request-id"];
      const id = typeof given === "string" && SANE_ID.test(given) ? given : crypto.randomUUID();
      res.setHeader("X-Request-Id", id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? "error" : "debug"),
    // The path without the query (tokens never travel in queries, but filters can be long).
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split("?")[0],
      }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
  });
}
