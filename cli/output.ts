/**
 * How the client commands print: aligned tables and lines for people on stdout, or one JSON
 * document on stdout with `--json` (messages then go to stderr); progress always on stderr, as a
 * bar on a terminal and as plain lines otherwise. Tables are hand-written: a dozen lines, and no
 * library's borders or colours would suit a terminal and a pipe alike.
 */
import type { OperationKind } from "../common/constants.ts";
import type { Build, Operation, OperationCounts } from "../common/dto.ts";
import { CLI_KINDS } from "./kinds.ts";

export type Output = {
  json: boolean;
  /** A line for people: stdout, or stderr under --json. */
  say: (text: string) => void;
  /** The one JSON document of a --json run. */
  data: (value: unknown) => void;
  /** Progress (stderr); on a terminal it redraws one line. */
  progress: (text: string) => void;
  endProgress: () => void;
};

export function createOutput(
  json: boolean,
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): Output {
  let drawing = false;
  return {
    json,
    say: (text) => (json ? stderr : stdout).write(`${text}\n`),
    data: (value) => stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    progress: (text) => {
      if (stderr.isTTY) {
        stderr.write(`\r\x1b[2K${text}`);
        drawing = true;
      } else stderr.write(`${text}\n`);
    },
    endProgress: () => {
      if (drawing) stderr.write("\n");
      drawing = false;
    },
  };
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "12s ago", "5m ago", "3h ago", "2d ago". */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return "-";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** "1m05s", "3h02m"; running until now when not finished; "-" when not started. */
export function duration(from: string | null, to: string | null, now = Date.now()): string {
  if (!from) return "-";
  const s = Math.max(0, Math.round(((to ? Date.parse(to) : now) - Date.parse(from)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export function buildRows(builds: Build[], withPipeline: boolean): { headers: string[]; rows: string[][] } {
  const headers = [
    ...(withPipeline ? ["PIPELINE"] : []),
    "BUILD",
    "STATUS",
    "BRANCH",
    "COMMIT",
    "BY",
    "CREATED",
    "DURATION",
  ];
  const rows = builds.map((b) => [
    ...(withPipeline ? [b.pipeline] : []),
    `#${b.number}`,
    b.status,
    b.branch,
    b.commit.slice(0, 7) || "-",
    b.triggeredBy,
    ago(b.createdAt),
    duration(b.startedAt, b.finishedAt),
  ]);
  return { headers, rows };
}

/** "48 canceled · 2 already finished · 0 failed", or for a re-run "2 created · 0 skipped · 0 failed". */
export function countsLine(kind: OperationKind, c: OperationCounts): string {
  return CLI_KINDS[kind].counts(c).join(" · ");
}

/** "[##########..........] 12/25" */
export function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`;
}

/** "Cancel of 25 builds in acme/web by admin" */
export function operationTitle(op: Operation): string {
  const what = CLI_KINDS[op.kind].title;
  const where = op.pipeline ? `${op.project}/${op.pipeline}` : `${op.project} (every pipeline)`;
  return `${what} of ${plural(op.total, "build")} in ${where} by ${op.requestedBy}`;
}
