/** Small helpers every engine route uses: the caller, parsing, and the error middleware. */
import type { Response } from "express";
import type { z } from "zod";
import { ForbiddenError, InputError } from "../../common/errors.ts";
import { parseInput } from "../../common/validation.ts";
import type { Actor } from "../services/identity.ts";

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

export function queryText(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new InputError(`${name} must be given once, as text`);
  return value;
}
