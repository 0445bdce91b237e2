/** Small helpers every engine route uses: the caller, parsing, and the error middleware. */
import crypto from "node:crypto";
import net from "node:net";
import type { Request, Response } from "express";
import type { z } from "zod";
import { BFF_KEY_HEADER, CLIENT_ADDRESS_HEADER } from "../../common/contract/identity.ts";
import { ForbiddenError, InputError } from "../../common/errors.ts";
import { parseInput } from "../../common/validation.ts";
import type { Actor } from "../use-cases/identity/identity.ts";

/**
 * The caller of every route but the agent channel's. An agent token is refused here, so it
 * opens nothing but the channel (and an unknown route still answers 404).
 */
export function actorOf(res: Response): Actor {
  const actor = res.locals.actor as Actor;
  if (actor.tokenKind === "agent") {
    throw new ForbiddenError("An agent token opens the agent channel only", "agent_token_not_allowed");
  }
  return actor;
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

/**
 * Where a sign-in comes from, for its limits: the caller's address (behind proxies trusted by
 * SLUICE_TRUST_PROXY, the forwarded one), or the browser's address a BFF forwards along with the
 * BFF key. A forwarded address without the right key is ignored: anyone could send one.
 */
export function signInAddress(req: Request, bffKey: string | undefined): string {
  const forwarded = req.get(CLIENT_ADDRESS_HEADER);
  const key = req.get(BFF_KEY_HEADER);
  if (bffKey && key && forwarded && net.isIP(forwarded) && sameSecret(key, bffKey)) return forwarded;
  return req.ip ?? req.socket.remoteAddress ?? "unknown";
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => crypto.createHash("sha256").update(s).digest();
  return crypto.timingSafeEqual(digest(a), digest(b));
}
