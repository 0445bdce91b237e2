/**
 * Browser sessions without server state: the httpOnly cookie holds the engine session token,
 * and the CSRF token is derived from it (a page of another site can read neither).
 */
import crypto from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { CSRF_HEADER } from "../common/constants.ts";
import { AppError, UnauthenticatedError } from "../common/errors.ts";

export const SESSION_COOKIE = "sluice_session";

export function csrfFor(sessionToken: string): string {
  return crypto.createHash("sha256").update(`csrf:${sessionToken}`).digest("base64url");
}

export function setSessionCookie(req: Request, res: Response, token: string, expiresAt: string): void {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: req.secure,
    path: "/",
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: "lax", secure: req.secure, path: "/" });
}

/** The engine's tokens are `slu_` and base64url; anything else in the cookie is no session. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{1,200}$/;

export function sessionToken(req: Request): string | undefined {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof value === "string" && TOKEN_SHAPE.test(value) ? value : undefined;
}

/** Every `/api` route but sign-in needs a session. */
export function requireSession(req: Request, res: Response, next: NextFunction): void {
  const token = sessionToken(req);
  if (!token) throw new UnauthenticatedError("Sign in first");
  res.locals.sessionToken = token;
  next();
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Mutations must carry the session's CSRF token in `X-CSRF-Token`. */
export function requireCsrf(req: Request, res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method)) {
    next();
    return;
  }
  const sent = req.get(CSRF_HEADER) ?? "";
  const expected = csrfFor(res.locals.sessionToken as string);
  const ok = sent.length === expected.length && crypto.timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
  if (!ok) throw new AppError(403, "csrf_failed", `Missing or wrong ${CSRF_HEADER} header`);
  next();
}
