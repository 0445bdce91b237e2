/**
 * Typed errors thrown by services, and the one mapping from an error to an HTTP status and
 * the `{error: {code, message, details}}` body. Engine, BFF and web all use it.
 */
import { type ErrorCode, isErrorCode } from "./error-codes.ts";

export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

export class AppError extends Error {
  constructor(
    readonly status: number,
    /** Registered in `common/error-codes.ts`, so the page has a translation for it. */
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }

  toBody(): ErrorBody {
    const error: ErrorBody["error"] = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export class InputError extends AppError {
  constructor(message: string, details?: unknown, code: ErrorCode = "invalid_input") {
    super(400, code, message, details);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = "Authentication required", code: ErrorCode = "unauthenticated") {
    super(401, code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = "You may not do this here", code: ErrorCode = "forbidden", details?: unknown) {
    super(403, code, message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, details?: unknown, code: ErrorCode = "not_found") {
    super(404, code, message, details);
  }
}

export class ConflictError extends AppError {
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(409, code, message, details);
  }
}

export class UnprocessableError extends AppError {
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(422, code, message, details);
  }
}

export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    code: ErrorCode = "rate_limited",
  ) {
    super(429, code, message, { retryAfterSeconds });
  }
}

export class UnavailableError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(503, code, message);
  }
}

/** What Express, body-parser and serve-static throw (http-errors): a status and whether it may be shown. */
type HttpError = { type?: string; status?: number; statusCode?: number; expose?: boolean; code?: unknown };

/**
 * Maps anything thrown to an AppError. A client error from Express or its parsers keeps its 4xx
 * status with a stable code and a fixed message (never the library's, which may name files);
 * anything else becomes a 500 without leaking internals.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const httpError = err as HttpError;
  switch (httpError?.type) {
    case "entity.parse.failed":
      return new InputError("The request body is not valid JSON", undefined, "malformed_body");
    case "entity.too.large":
      return new AppError(413, "body_too_large", "The request body is too large");
    case "encoding.unsupported":
    case "charset.unsupported":
      return new AppError(415, "unsupported_encoding", "Unsupported request body encoding");
  }
  const status = httpError?.status ?? httpError?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    if (err instanceof URIError) return new InputError("The path is not valid percent-encoded UTF-8");
    // zlib's and brotli's errors: a body sent with Content-Encoding that does not decode.
    if (httpError.type === undefined && typeof httpError.code === "string" && status === 400) {
      return new InputError("The request body could not be decompressed", undefined, "malformed_body");
    }
    if (status === 404) return new NotFoundError("Not found");
    return new AppError(status, "bad_request", "The request was refused");
  }
  return new AppError(500, "internal", "Internal error");
}

/**
 * Rebuilds an error from a `{error: {...}}` body received over HTTP (BFF and web side). A 429
 * becomes a RateLimitedError, so that a server passing it on sends its Retry-After along; a code
 * this build does not know (a newer server) keeps its message under `http_error`.
 */
export function fromErrorBody(status: number, body: unknown, retryAfterHeader?: string | null): AppError {
  const error = (body as Partial<ErrorBody> | undefined)?.error;
  const code = error && typeof error.code === "string" ? error.code : undefined;
  const known = code !== undefined && isErrorCode(code) ? code : undefined;
  if (status === 429) {
    const fromDetails = (error?.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    const seconds = Number(retryAfterHeader ?? fromDetails);
    return new RateLimitedError(
      String(error?.message ?? "Too many requests; try again shortly"),
      Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 1,
      known ?? "rate_limited",
    );
  }
  if (error && known) return new AppError(status, known, String(error.message ?? known), error.details);
  if (error && code) {
    return new AppError(status, "http_error", String(error.message ?? code), { code, details: error.details });
  }
  return new AppError(status, "http_error", `HTTP ${status}`);
}
