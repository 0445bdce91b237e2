/** The audit log as CSV: every entry matching the filters, fetched page by page from the engine. */
import type { Response } from "express";
import type { z } from "zod";
import type { AuditEntry, AuditQuery } from "../../common/dto.ts";
import type { EngineClient } from "../../common/engine-client.ts";

const PAGE = 500;
/** A safety bound on one download; the filters narrow it further. */
export const MAX_CSV_ENTRIES = 100_000;

const COLUMNS: [string, (e: AuditEntry) => string | number | null][] = [
  ["time", (e) => e.createdAt],
  ["actor", (e) => e.actor],
  ["action", (e) => e.action],
  ["source", (e) => e.source],
  ["project", (e) => e.project],
  ["pipeline", (e) => e.pipeline],
  ["build", (e) => (e.build ? e.build.number : null)],
  ["builds", (e) => e.targets],
  ["canceled", (e) => e.outcome.canceled],
  ["already_finished", (e) => e.outcome.alreadyFinished],
  ["protected", (e) => e.outcome.protected],
  ["created", (e) => e.outcome.created],
  ["skipped", (e) => e.outcome.skipped],
  ["failed", (e) => e.outcome.failed],
  ["pending", (e) => e.outcome.pending],
  ["status", (e) => e.outcome.status],
  ["reason", (e) => e.reason],
  ["operation", (e) => e.operationId],
];

/**
 * One CSV field (RFC 4180 quoting). Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
 * tab, carriage return first) gets a leading `'`: a reason is typed by users.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvLine(entry: AuditEntry): string {
  return `${COLUMNS.map(([, get]) => csvField(get(entry))).join(",")}\r\n`;
}

export async function auditCsv(
  engine: EngineClient,
  res: Response,
  project: string,
  query: Omit<z.input<typeof AuditQuery>, "cursor" | "limit">,
): Promise<void> {
  // The first page before any header: a refusal (not a maintainer) stays a JSON error.
  const params = { project };
  let page = await engine.call("listAudit", { params, query: { ...query, limit: String(PAGE) } });
  res.status(200);
  res.type("text/csv; charset=utf-8");
  res.setHeader("Content-Disposition", `attachment; filename="${project}-audit.csv"`);
  res.setHeader("Cache-Control", "no-store");
  res.write(`\uFEFF${COLUMNS.map(([name]) => name).join(",")}\r\n`);
  let written = 0;
  for (;;) {
    const lines = page.items.slice(0, MAX_CSV_ENTRIES - written);
    res.write(lines.map(csvLine).join(""));
    written += lines.length;
    if (page.nextCursor === null || written >= MAX_CSV_ENTRIES || res.destroyed) break;
    page = await engine.call("listAudit", {
      params,
      query: { ...query, cursor: page.nextCursor, limit: String(PAGE) },
    });
  }
  res.end();
}
