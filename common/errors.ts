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
  constructor(message = "You may not do this here", code: ErrorCode = "forbidden") {
    super(403, code, message);
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

type BodyParserError = { type?: string; status?: number; statusCode?: number };

/** Maps anything thrown to an AppError; unknown errors become a 500 without leaking internals. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const parserError = err as BodyParserError;
  switch (parserError?.type) {
    case "entity.parse.failed":
      return new InputError("The request body is not valid JSON", undefined, "malformed_body");
    case "entity.too.large":
      return new AppError(413, "body_too_large", "The request body is too large");
    case "encoding.unsupported":
    case "charset.unsupported":
      return new AppError(415, "unsupported_encoding", "Unsupported request body encoding");
  }
  return new AppError(500, "internal", "Internal error");
}

/**
 * Rebuilds an error from a `{error: {...}}` body received over HTTP (BFF and web side). A code
 * this build does not know (a newer server) keeps its message under `http_error`.
 */
export function fromErrorBody(status: number, body: unknown): AppError {
  const error = (body as Partial<ErrorBody> | undefined)?.error;
  if (error && typeof error.code === "string") {
    const message = String(error.message ?? error.code);
    if (isErrorCode(error.code)) return new AppError(status, error.code, message, error.details);
    return new AppError(status, "http_error", message, { code: error.code, details: error.details });
  }
  return new AppError(status, "http_error", `HTTP ${status}`);
}
