/** Small helpers every engine route uses: the caller, parsing, and the error middleware. */
import type { NextFunction, Request, Response } from "express";
import type { z } from "zod";
import { InputError, NotFoundError, RateLimitedError, toAppError } from "../../common/errors.ts";
import { parseInput } from "../../common/validation.ts";
import type { Logger } from "../logger.ts";
import type { Actor } from "../services/identity.ts";

export function actorOf(res: Response): Actor {
  return res.locals.actor as Actor;
}

export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  return parseInput(schema, value);
}

export function idParam(value: string | undefined, what = "id"): number {
  const id = Number(value);
  if (!value || !/^\d{1,16}$/.test(value) || !Number.isSafeInteger(id) || id <= 0) {
    throw new InputError(`${what} must be a positive integer`, undefined, "invalid_id");
  }
  return id;
}

export function limitParam(value: unknown, fallback = 50, max = 500): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new InputError(`limit must be an integer from 1 to ${max}`, undefined, "invalid_limit");
  return n;
}

export function queryText(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new InputError(`${name} must be given once, as text`);
  return value;
}

export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError(`No route for ${req.method} ${req.path}`, undefined, "no_route"));
}

/** The one place errors become responses: status, `{error: {code, message, details}}`, Retry-After. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    const appError = toAppError(err);
    if (appError.status >= 500)
      log.error("request failed", { method: req.method, path: req.path, err: String((err as Error)?.stack ?? err) });
    if (res.headersSent) {
      next(err);
      return;
    }
    if (appError instanceof RateLimitedError) res.setHeader("Retry-After", String(appError.retryAfterSeconds));
    res.status(appError.status).json(appError.toBody());
  };
}
