/** `sluice operations list|show|watch`: the project's bulk operations, one operation's builds, following one to its end. */
import { type Command, Option } from "commander";
import { ITEM_OUTCOMES, OPERATION_SOURCES, OPERATION_STATUSES } from "../common/constants.ts";
import type { Operation } from "../common/dto.ts";
import {
  type CliContext,
  type Client,
  type ClientFlags,
  choiceList,
  connect,
  engineOption,
  jsonOption,
  positiveInt,
  scopeOf,
} from "./cli-context.ts";
import type { OperationsQuery } from "./engine-api.ts";
import { EXIT } from "./exit-codes.ts";
import { ago, bar, countsLine, duration, operationTitle, table } from "./output.ts";

/** The list's flags are the engine query's fields (the pipeline comes with the client flags). */
type ListFlags = ClientFlags & Omit<OperationsQuery, "pipeline">;
type ShowFlags = ClientFlags & { outcome?: string; limit?: number };

export function registerOperationCommands(program: Command, ctx: CliContext): void {
  const operations = program
    .command("operations")
    .description("bulk operations (cancels and re-runs): list, show, watch");

  const list = operations
    .command("list")
    .description("the project's operations, newest first")
    .option("--project <name>", "the project (default: the config file's project)")
    .option(
      "--pipeline <name>",
      "only this pipeline's (not the config file's default: operations may span the project)",
    )
    .addOption(new Option("--status <status>", "running or completed").choices(OPERATION_STATUSES))
    .option(
      "--source <sources>",
      `who started them: ${OPERATION_SOURCES.join(", ")} (comma-separated)`,
      choiceList(OPERATION_SOURCES),
    )
    .option("--requested-by <user>", "started by this user")
    .option("--mine", "started by the token's user")
    .option("--limit <n>", "at most this many (1-200, default 50)", positiveInt(200))
    .option("--cursor <cursor>", "the next page, as the previous page printed it");
  engineOption(jsonOption(list));
  list.addHelpText("after", "\nExample:\n  sluice operations list --project demo --status running --source user,api");
  list.action(async (flags: ListFlags) => {
    const c = connect(ctx, flags);
    const { project } = scopeOf(c, { ...flags, allPipelines: true }, "optional");
    const page = await c.api.operations(project, {
      ...(flags.pipeline ? { pipeline: flags.pipeline } : {}),
      ...(flags.status ? { status: flags.status } : {}),
      ...(flags.source ? { source: flags.source } : {}),
      ...(flags.requestedBy ? { requestedBy: flags.requestedBy } : {}),
      ...(flags.mine ? { mine: true } : {}),
      ...(flags.limit ? { limit: flags.limit } : {}),
      ...(flags.cursor ? { cursor: flags.cursor } : {}),
    });
    if (c.out.json) c.out.data(page);
    else {
      c.out.say(
        page.items.length === 0
          ? "No operations."
          : table(
              ["ID", "KIND", "STATUS", "PIPELINE", "BY", "SOURCE", "TOTAL", "OUTCOME", "STARTED", "TOOK"],
              page.items.map((op) => [
                op.id,
                op.kind,
                op.status,
                op.pipeline ?? "(project)",
                op.requestedBy,
                op.source,
                String(op.total),
                countsLine(op.kind, op.counts),
                ago(op.createdAt),
                op.completedAt ? duration(op.createdAt, op.completedAt) : "-",
              ]),
            ),
      );
    }
    if (page.nextCursor) process.stderr.write(`More: --cursor ${page.nextCursor}\n`);
  });

  const show = operations
    .command("show")
    .description("an operation: what it was, its counts and its builds' outcomes")
    .argument("<id>", "the operation's id")
    .addOption(new Option("--outcome <outcome>", "only builds with this outcome").choices(ITEM_OUTCOMES))
    .option("--limit <n>", "at most this many builds (1-1000, default 100)", positiveInt(1000));
  engineOption(jsonOption(show));
  show.action(async (id: string, flags: ShowFlags) => {
    const c = connect(ctx, flags);
    const op = await c.api.operation(id);
    const items = await c.api.operationItems(id, {
      ...(flags.outcome ? { outcome: flags.outcome } : {}),
      limit: flags.limit ?? 100,
    });
    if (c.out.json) {
      c.out.data({ operation: op, items: items.items, nextItemsCursor: items.nextCursor });
      return;
    }
    c.out.say(operationTitle(op));
    const lines = [
      ["id", op.id],
      ["kind", op.kind],
      ["status", op.status],
      ["source", op.source],
      ["reason", op.reason ?? "-"],
      [
        "outcome",
        `${countsLine(op.kind, op.counts)}${op.status === "running" ? ` · ${op.counts.pending} pending` : ""}`,
      ],
      ["started", `${op.createdAt} (${ago(op.createdAt)})`],
      ["completed", op.completedAt ?? "-"],
      ...(op.selection?.preview ? [["preview", `taken ${op.selection.preview.at}; later builds were left alone`]] : []),
      ...(op.selection?.kept
        ? [["kept", `${op.selection.kept} (the newest of each ${op.selection.filter?.keepNewest?.per ?? "key"})`]]
        : []),
      ...(op.selection?.leftOutProtected
        ? [["left out", `${op.selection.leftOutProtected} on protected branches`]]
        : []),
      ...(op.stuck ? [["stuck", `${op.stuck} slow to stop (force with: sluice cancel --ids … --force)`]] : []),
    ];
    c.out.say(table(["", ""], lines).split("\n").slice(1).join("\n"));
    c.out.say("");
    c.out.say(
      items.items.length === 0
        ? "No builds."
        : table(
            ["BUILD", "BRANCH", "OUTCOME", "NOTE", "STATUS"],
            items.items.map((i) => [
              `#${i.buildNumber}`,
              i.branch,
              i.outcome,
              i.stuck
                ? `stuck on ${i.stuck.agent ?? "?"} (last contact ${ago(i.stuck.lastContactAt)}, force-finalized ${i.stuck.forceFinalizeAt ?? "-"})`
                : (i.note ?? "-"),
              i.status,
            ]),
          ),
    );
    if (items.nextCursor) c.out.say(`… and more: --limit (up to 1000) or --outcome to narrow`);
  });

  const watch = operations
    .command("watch")
    .description("follow an operation until it completes; exit 1 if any of its builds failed")
    .argument("<id>", "the operation's id");
  engineOption(jsonOption(watch));
  watch.action(async (id: string, flags: ClientFlags) => {
    const c = connect(ctx, flags);
    const op = await watchOperation(c, await c.api.operation(id));
    if (c.out.json) c.out.data(op);
    else c.out.say(`${operationTitle(op)}: ${countsLine(op.kind, op.counts)}`);
    ctx.exit(op.counts.failed > 0 ? EXIT.failed : EXIT.ok);
  });
}

/** Follows the operation's events until it completes: a bar on a terminal, a line per change otherwise. */
export async function watchOperation(c: Client, op: Operation): Promise<Operation> {
  if (op.status === "completed") return op;
  let last = "";
  const show = (counts: Operation["counts"]) => {
    const done = op.total - counts.pending;
    const text = process.stderr.isTTY
      ? `${bar(done, op.total)} ${countsLine(op.kind, counts)}`
      : `  ${done}/${op.total} settled (${countsLine(op.kind, counts)})`;
    if (text !== last) c.out.progress(text);
    last = text;
  };
  show(op.counts);
  try {
    return await c.api.follow(op, (p) => show(p.counts));
  } finally {
    c.out.endProgress();
  }
}
