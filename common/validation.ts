/** Turns zod issues into field-named messages (`stages[1].jobs[0].steps[2].run: required`). */
import type { z } from "zod";
import type { ErrorCode } from "./error-codes.ts";
import { InputError } from "./errors.ts";

export type FieldIssue = { path: string; message: string };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

function describe(issue: z.core.$ZodIssue): FieldIssue[] {
  const base = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ path: base ? `${base}.${key}` : key, message: "unknown field" }));
  }
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) {
    return [{ path: base, message: "required" }];
  }
  if (issue.code === "invalid_type") return [{ path: base, message: `must be ${issue.expected}` }];
  if (issue.code === "invalid_value") {
    return [{ path: base, message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` }];
  }
  if (issue.code === "too_big" || issue.code === "too_small") {
    return [{ path: base, message: issue.message.replace(/^Too (big|small): expected \w+ to (have|be) /, "must be ") }];
  }
  return [{ path: base, message: issue.message }];
}

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap(describe);
}

export function issueText(issue: FieldIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

/** Parses `input` or throws an InputError naming every bad field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  code: ErrorCode = "invalid_input",
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = fieldIssues(result.error);
  throw new InputError(issues.map(issueText).join("; "), { issues }, code);
}
