/** The one place errors become HTTP responses, for the engine and the BFF (both Express). */
import type { NextFunction, Request, Response } from "express";
import { NotFoundError, RateLimitedError, toAppError } from "./errors.ts";
import type { Logger } from "./logger.ts";

export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError(`No route for ${req.method} ${req.path}`, undefined, "no_route"));
}

/** Status and `{error: {code, message, details}}` body (and Retry-After); respects a stream already started. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    const appError = toAppError(err);
    if (appError.status >= 500 && appError.code === "internal") {
      // The request's own logger carries its id (see `request-log.ts`).
      const reqLog = (req as Request & { log?: { error: (fields: object, msg: string) => void } }).log;
      if (reqLog) reqLog.error({ err }, "request failed");
      else log.error("request failed", { method: req.method, path: req.path, err });
    }
    if (res.headersSent) {
      next(err);
      return;
    }
    if (appError instanceof RateLimitedError) res.setHeader("Retry-After", String(appError.retryAfterSeconds));
    res.status(appError.status).json(appError.toBody());
  };
}
