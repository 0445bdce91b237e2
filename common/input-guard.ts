/**
 * Text that no name, query or field of Sluice may hold: control characters. PostgreSQL cannot
 * store NUL at all, and the others only ever arrive from a hostile or broken client. Tabs and
 * line breaks stay allowed in bodies (multi-line steps and reasons), never in paths or queries.
 */
import type { NextFunction, Request, Response } from "express";
import { InputError } from "./errors.ts";

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_IN_NAME = /[\u0000-\u001f\u007f-\u009f]/;

function refuse(where: string): never {
  throw new InputError(`${where} contains a control character`);
}

/** The path's segments, decoded; a segment that does not decode is refused too. */
function checkPath(rawPath: string): void {
  for (const segment of rawPath.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new InputError("The path is not valid percent-encoded UTF-8");
    }
    if (CONTROL_IN_NAME.test(decoded)) refuse("The path");
  }
}

function checkQuery(query: unknown): void {
  if (query === null || typeof query !== "object") return;
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    if (CONTROL_IN_NAME.test(key) || values.some((v) => typeof v === "string" && CONTROL_IN_NAME.test(v))) {
      refuse(`The query parameter "${key.replace(CONTROL_IN_NAME, "?")}"`);
    }
  }
}

/** Walks a parsed body without recursion (a body may nest deeper than the stack). */
function checkBody(body: unknown): void {
  const pending: unknown[] = [body];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "string") {
      if (CONTROL_IN_TEXT.test(value)) refuse("The request body");
    } else if (value !== null && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        if (CONTROL_IN_TEXT.test(key)) refuse("The request body");
        pending.push(inner);
      }
    }
  }
}

/**
 * Middleware, after the body parsers: 400 `invalid_input` for a control character in the path,
 * the query or the body. `skipBody` names requests whose bodies carry raw bytes by design.
 */
export function rejectControlCharacters(opts: { skipBody?: (req: Request) => boolean } = {}) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    checkPath(req.path);
    checkQuery(req.query);
    if (!opts.skipBody?.(req)) checkBody(req.body);
    next();
  };
}
