/** The audit log as CSV: every entry matching the filters, fetched page by page from the engine. */
import { stringify } from "csv-stringify/sync";
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
  ["forced", (e) => (e.forced ? "yes" : "no")],
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
 * Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) gets
 * a leading `'`: a reason is typed by users. csv-stringify does the RFC 4180 quoting.
 */
const neutralized = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

const OPTIONS = { record_delimiter: "windows", cast: { string: neutralized } } as const;

/** Entries as CSV lines (CRLF), in the columns' order. */
export function csvLines(entries: AuditEntry[]): string {
  return stringify(
    entries.map((entry) => COLUMNS.map(([, get]) => get(entry))),
    OPTIONS,
  );
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
  res.write(`\uFEFF${stringify([COLUMNS.map(([name]) => name)], OPTIONS)}`);
  let written = 0;
  for (;;) {
    const lines = page.items.slice(0, MAX_CSV_ENTRIES - written);
    res.write(csvLines(lines));
    written += lines.length;
    if (page.nextCursor === null || written >= MAX_CSV_ENTRIES || res.destroyed) break;
    page = await engine.call("listAudit", {
      params,
      query: { ...query, cursor: page.nextCursor, limit: String(PAGE) },
    });
  }
  res.end();
}
