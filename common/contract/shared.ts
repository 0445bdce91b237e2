/** Pieces every part of the contract shares: names, ids, pages, times and the error envelope. */
import { z } from "zod";
import { MAX_REASON_LENGTH } from "../constants.ts";

export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const ResourceName = z.string().regex(NAME_PATTERN, "must be 1-63 lowercase letters, digits, '.', '_' or '-'");

export const Reason = z.string().max(MAX_REASON_LENGTH, `must be at most ${MAX_REASON_LENGTH} characters`);

/** A build id as it appears in a request: a positive integer within a signed 64-bit safe range. */
export const BuildId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** A build number as people see it (`#368`), within one pipeline. */
export const BuildNumber = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** An instant as the API writes it (ISO 8601). */
export const Time = z.string().describe("ISO 8601 time");

/** A numeric id in a path (`/v1/builds/{id}`). */
export const PathId = z.string().regex(/^\d{1,16}$/, "must be a positive integer");
/** A project, pipeline or user name in a path; the engine answers 404 for a name it does not know. */
export const PathName = z.string().min(1).max(255);

/** One page of a list, newest first; `nextCursor` asks for the next (older) one. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export type Page<T> = { items: T[]; nextCursor: string | null };

/** A whole list, in one answer. */
export const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** Every refusal, from the engine and the BFF: a stable `code` (`common/error-codes.ts`) and a message. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/* Query strings: text values, lists comma-separated ------------------------------------------ */

export const commaList = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((text) => [...new Set(text.split(",").map((s) => s.trim()))].filter((s) => s !== ""))
    .pipe(z.array(z.enum(values)).min(1, "must name at least one value"));

export const Cursor = z.string().min(1).max(200);
export const QueryUsername = z.string().min(1).max(100);
export const pageLimit = (fallback: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1).max(max))
    .default(fallback);

/** A query value the route checks itself (with its own error code, such as `invalid_limit`). */
export const QueryText = z.string();
