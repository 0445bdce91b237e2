/** The BFF's side of the one engine client: calling as the signed-in user, and query strings checked once. */
import type { Response } from "express";
import type { z } from "zod";
import type { EngineClient } from "../common/engine-client.ts";
import { parseInput } from "../common/validation.ts";

/** The engine, as the user whose session this request carries (`requireSession` put it there). */
export function engineAs(engine: EngineClient, res: Response): EngineClient {
  return engine.as(res.locals.sessionToken as string);
}

/**
 * The query string, checked with the engine's own schema (a bad one is the BFF's 400), passed on
 * as it came: the engine reads the text, not our parse of it.
 */
export function validQuery<S extends z.ZodType>(schema: S, query: unknown): z.input<S> {
  parseInput(schema, query);
  return query as z.input<S>;
}
