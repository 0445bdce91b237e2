/**
 * `sluice cancel`: a bulk cancel from the command line. With --wait it follows the operation's
 * event stream, prints progress and the final counts, and exits non-zero when any item failed.
 */
import { parseArgs } from "node:util";
import type { Config } from "../common/config.ts";
import type { Operation, OperationCounts } from "../common/dto.ts";
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
      ids: { type: "string" },
      "all-running": { type: "boolean", default: false },
      reason: { type: "string" },
      wait: { type: "boolean", default: false },
      engine: { type: "string" },
    },
  });
  if (!values.project || !values.pipeline) throw new Error("--project and --pipeline are required");
  if (Boolean(values.ids) === values["all-running"])
    throw new Error("give exactly one of --ids 12,13 or --all-running");
  const buildIds = values.ids?.split(",").map((s) => {
    const n = Number(s.trim());
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`not a build id: "${s}"`);
    return n;
  });
  const engine = engineUrlOf(config, values.engine);
  const token = readToken(config);
  const res = await fetch(`${engine}/v1/projects/${values.project}/pipelines/${values.pipeline}/builds/batch-cancel`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      ...(buildIds ? { buildIds } : { filter: { status: ["QUEUED", "RUNNING"] } }),
      ...(values.reason ? { reason: values.reason } : {}),
    }),
  });
  const body = await res.json();
  if (res.status !== 202) throw fromErrorBody(res.status, body);
  let op = body as Operation;
  out.write(`Operation ${op.id}: canceling ${op.total} build${op.total === 1 ? "" : "s"}\n`);
  if (values.wait && op.status !== "completed") op = await follow(engine, token, op, out);
  out.write(`${summary(op.counts)}${op.status === "completed" ? "" : ` · ${op.counts.pending} pending`}\n`);
  return op.counts.failed > 0 ? 1 : 0;
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
