/**
 * `sluice cancel`: a bulk cancel from the command line. With --wait it follows the operation's
 * event stream, prints progress and the final counts, and exits non-zero when any item failed.
 */
import { parseArgs } from "node:util";
import type { Config } from "../common/config.ts";
import type { BatchPreview, Operation, OperationCounts } from "../common/dto.ts";
import { fromErrorBody } from "../common/errors.ts";
import { readSse } from "../common/sse-parser.ts";
import { engineUrlOf, readToken } from "./token.ts";

export async function runCancel(
  config: Config,
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      project: { type: "string" },
      pipeline: { type: "string" },
      builds: { type: "string" },
      ids: { type: "string" },
      "all-running": { type: "boolean", default: false },
      branch: { type: "string" },
      reason: { type: "string" },
      force: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      wait: { type: "boolean", default: false },
      engine: { type: "string" },
    },
  });
  if (!values.project) throw new Error("--project is required (and --pipeline, unless the cancel is project-wide)");
  const ways = [values.builds, values.ids, values["all-running"] || values.branch ? true : undefined].filter(Boolean);
  if (ways.length !== 1)
    throw new Error("give exactly one of --builds 12,13 (numbers), --ids 381,382, or --all-running / --branch B");
  if (values.builds && !values.pipeline) throw new Error("--builds are numbers within a pipeline: give --pipeline");
  const selection = values.builds
    ? { buildNumbers: positiveList(values.builds, "build number") }
    : values.ids
      ? { buildIds: positiveList(values.ids, "build id") }
      : { filter: { status: ["QUEUED", "RUNNING"], ...(values.branch ? { branch: values.branch } : {}) } };
  const engine = engineUrlOf(config, values.engine);
  const token = readToken(config);
  const base = values.pipeline
    ? `${engine}/v1/projects/${enc(values.project)}/pipelines/${enc(values.pipeline)}/builds`
    : `${engine}/v1/projects/${enc(values.project)}/builds`;

  // A filter is previewed first, and the cancel bound to what the preview saw.
  const preview = await post<BatchPreview>(`${base}/batch-cancel/preview`, token, selection, 200);
  out.write(`${describePreview(preview)}\n`);
  if (values["dry-run"]) return 0;
  const op0 = await post<Operation>(
    `${base}/batch-cancel`,
    token,
    {
      ...selection,
      ...("filter" in selection ? { snapshot: preview.snapshot } : {}),
      ...(values.reason ? { reason: values.reason } : {}),
      ...(values.force ? { force: true } : {}),
    },
    202,
  );
  let op = op0;
  out.write(`Operation ${op.id}: canceling ${op.total} build${op.total === 1 ? "" : "s"}\n`);
  if (values.wait && op.status !== "completed") op = await follow(engine, token, op, out);
  out.write(`${summary(op.counts)}${op.status === "completed" ? "" : ` · ${op.counts.pending} pending`}\n`);
  return op.counts.failed > 0 ? 1 : 0;
}

const enc = encodeURIComponent;

function positiveList(text: string, what: string): number[] {
  return text.split(",").map((s) => {
    const n = Number(s.trim().replace(/^#/, ""));
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`not a ${what}: "${s}"`);
    return n;
  });
}

async function post<T>(url: string, token: string, body: unknown, expect: number): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => undefined);
  if (res.status !== expect) throw fromErrorBody(res.status, json);
  return json as T;
}

/** "12 builds: 2 running, 10 queued (web-app up to #580)". */
function describePreview(p: BatchPreview): string {
  const where = Object.entries(p.upTo)
    .map(([pipeline, n]) => `${pipeline} up to #${n}`)
    .join(", ");
  return `${p.total} build${p.total === 1 ? "" : "s"} to cancel: ${p.byStatus.RUNNING} running, ${p.byStatus.QUEUED} queued${where ? ` (${where})` : ""}`;
}

function summary(c: OperationCounts): string {
  return `${c.canceled} canceled · ${c.alreadyFinished} already finished · ${c.failed} failed`;
}

async function follow(engine: string, token: string, op: Operation, out: NodeJS.WritableStream): Promise<Operation> {
  const abort = new AbortController();
  let last = op;
  const res = await fetch(`${engine}/v1/events?operation=${op.id}&after=0`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  if (!res.ok || !res.body) throw fromErrorBody(res.status, await res.json().catch(() => undefined));
  await readSse(
    res.body,
    (e) => {
      if (e.event !== "operation.progress" && e.event !== "operation.completed") return;
      const data = JSON.parse(e.data) as { counts: OperationCounts; status: Operation["status"] };
      last = { ...last, counts: data.counts, status: data.status };
      const done = op.total - data.counts.pending;
      out.write(`  ${done}/${op.total} settled (${summary(data.counts)})\n`);
      if (data.status === "completed") abort.abort();
    },
    abort.signal,
  );
  return last;
}
