/**
 * `sluice cancel` and `sluice rerun`: a bulk operation as the page runs it — preview, then confirm
 * with the preview's snapshot, so builds triggered in between are left alone. `--dry-run` stops
 * after the preview; `--wait` follows the operation to its end.
 */
import { type Command, Option } from "commander";
import { KEEP_NEWEST_PER, type KeepNewestPer, type OperationKind } from "../common/constants.ts";
import { BUILD_TRIGGER_KINDS, type BuildTriggerKind } from "../common/contract/builds.ts";
import type { BatchPreview, Operation } from "../common/dto.ts";
import { BUILD_STATUSES, CANCELABLE_STATUSES, TERMINAL_STATUSES } from "../common/statuses.ts";
import {
  type CliContext,
  type Client,
  type ClientFlags,
  connect,
  engineOption,
  jsonOption,
  numberList,
  positiveInt,
  positiveIntOrZero,
  scopeOf,
  scopeOptions,
  statusList,
} from "./cli-context.ts";
import type { Scope, Selection } from "./engine-api.ts";
import { EXIT, UsageError } from "./exit-codes.ts";
import { CLI_KINDS } from "./kinds.ts";
import { watchOperation } from "./operations-commands.ts";
import { buildRows, countsLine, plural, table } from "./output.ts";

type BulkFlags = ClientFlags & {
  builds?: number[];
  ids?: number[];
  branch?: string;
  status?: string[];
  reason?: string;
  dryRun?: boolean;
  wait?: boolean;
};
type CancelFlags = BulkFlags & {
  allRunning?: boolean;
  force?: boolean;
  keepNewest?: number;
  per?: KeepNewestPer;
  trigger?: BuildTriggerKind;
  pullRequest?: number;
  includeProtectedBranches?: boolean;
  confirm?: number;
};
type RerunFlags = BulkFlags & { fromOperation?: string };

export function registerBulkCommands(program: Command, ctx: CliContext): void {
  const cancel = program
    .command("cancel")
    .description("cancel builds: by number, or every queued and running build matching a branch or status")
    .option("--builds <numbers>", "build numbers within --pipeline, e.g. 12,13", numberList("build number"))
    .option("--ids <ids>", "build ids (as the API and webhooks name them)", numberList("build id"))
    .option("--all-running", "every queued and running build")
    .option("--branch <name>", "queued and running builds of this branch")
    .option(
      "--pull-request <n>",
      "queued and running builds of this pull request (its number)",
      positiveInt(999_999_999),
    )
    .addOption(
      new Option(
        "--trigger <kind>",
        "queued and running builds started by a push, a pull request or an API call",
      ).choices(BUILD_TRIGGER_KINDS),
    )
    .option("--status <statuses>", "only these: queued, running (default both)", statusList(CANCELABLE_STATUSES))
    .option(
      "--keep-newest <n>",
      "leave the n newest matching builds of each --per alone (all queued and running builds when no other filter is given)",
      positiveInt(1000),
    )
    .addOption(
      new Option(
        "--per <key>",
        "what --keep-newest counts per: branch (of each pipeline; the default), pipeline, group",
      ).choices(KEEP_NEWEST_PER),
    )
    .option(
      "--confirm <n>",
      "the number of builds the preview counts, when the project asks for it to be typed (a big cancel, or a guarded stage in flight)",
      positiveIntOrZero(10_000_000),
    )
    .option("--include-protected-branches", "a filter also reaches the branches the project protects")
    .option("--reason <text>", "shown on each canceled build")
    .option("--force", "also stop builds running a protected job, and finalize builds already canceling")
    .option("--dry-run", "print the preview (how many, per status and pipeline, the newest) and change nothing")
    .option("--wait", "follow the operation until every build has stopped; exit 1 if any failed to");
  scopeOptions(cancel, "optional");
  engineOption(jsonOption(cancel));
  cancel.addHelpText(
    "after",
    `
Without --pipeline a filter (--all-running, --branch, --pull-request, --trigger, --status) acts across every pipeline of the project.
Examples:
  sluice cancel --project demo --pipeline web-app --builds 12,13 --reason "bad push"
  sluice cancel --project demo --branch release/2.4 --dry-run
  sluice cancel --project demo --pull-request 12 --reason "closed without merging"
  sluice cancel --project demo --pipeline web-app --all-running --wait
  sluice cancel --project demo --pipeline web-app --keep-newest 1 --per branch --dry-run`,
  );
  cancel.action(async (flags: CancelFlags) => {
    if (flags.per !== undefined && flags.keepNewest === undefined)
      throw new UsageError("--per goes with --keep-newest");
    const c = connect(ctx, flags);
    const scope = scopeOf(c, flags, "optional");
    const filtered = [flags.branch, flags.status, flags.keepNewest, flags.trigger, flags.pullRequest].some(
      (f) => f !== undefined,
    );
    const filter =
      flags.allRunning || filtered
        ? {
            status: flags.status ?? [...CANCELABLE_STATUSES],
            ...(flags.branch !== undefined ? { branch: flags.branch } : {}),
            ...(flags.trigger !== undefined ? { trigger: flags.trigger } : {}),
            ...(flags.pullRequest !== undefined ? { pullRequest: flags.pullRequest } : {}),
            ...(flags.keepNewest !== undefined
              ? { keepNewest: { per: flags.per ?? "branch", count: flags.keepNewest } }
              : {}),
            ...(flags.includeProtectedBranches ? { includeProtectedBranches: true } : {}),
          }
        : undefined;
    if (flags.includeProtectedBranches && !filter) {
      throw new UsageError("--include-protected-branches goes with a filter (--all-running, --branch, --status)");
    }
    const selection = oneSelection(
      flags,
      filter,
      "--builds 12,13, --ids 381,382, or --all-running / --branch / --pull-request / --trigger / --status",
    );
    ctx.exit(await runBulk("cancel", c, scope, selection, flags));
  });

  const rerun = program
    .command("rerun")
    .description(
      "run builds again (same branch, commit and parameters): by number, by filter, or what an operation canceled",
    )
    .option("--builds <numbers>", "build numbers within --pipeline, e.g. 12,13", numberList("build number"))
    .option("--ids <ids>", "build ids", numberList("build id"))
    .option("--from-operation <id>", "the builds this cancel operation canceled")
    .option(
      "--status <statuses>",
      `builds with these statuses, e.g. failed,canceled (${BUILD_STATUSES.map((s) => s.toLowerCase()).join(", ")})`,
      statusList(BUILD_STATUSES),
    )
    .option("--branch <name>", "with --status: only this branch")
    .option("--reason <text>", "recorded on the operation")
    .option("--dry-run", "print the preview and change nothing")
    .option("--wait", "follow the operation until it completes; exit 1 if any build failed to start");
  scopeOptions(rerun, "optional");
  engineOption(jsonOption(rerun));
  rerun.addHelpText(
    "after",
    `
Active builds are skipped. With --from-operation the scope is the operation's own unless --project is given.
Examples:
  sluice rerun --project demo --pipeline web-app --builds 12,13
  sluice rerun --project demo --status failed --branch main --dry-run
  sluice rerun --from-operation 0b6f…`,
  );
  rerun.action(async (flags: RerunFlags) => {
    if (flags.branch !== undefined && flags.status === undefined) {
      throw new UsageError("a re-run filter needs --status (e.g. --status failed,canceled)");
    }
    const c = connect(ctx, flags);
    const filter =
      flags.status !== undefined
        ? { status: flags.status, ...(flags.branch !== undefined ? { branch: flags.branch } : {}) }
        : undefined;
    const selection = oneSelection(flags, filter, "--builds 12,13, --ids 381,382, --from-operation ID or --status S");
    // The operation says where it ran: that is the scope to re-run it in, unless --project says otherwise.
    const scope =
      flags.fromOperation !== undefined && flags.project === undefined
        ? await c.api
            .operation(flags.fromOperation)
            .then((op) => ({ project: op.project, pipeline: op.pipeline ?? undefined }))
        : scopeOf(c, flags, "optional");
    ctx.exit(await runBulk("rerun", c, scope, selection, flags));
  });
}

type Filter = Extract<Selection, { filter: unknown }>["filter"];

/** Exactly one way of naming builds. */
function oneSelection(
  flags: BulkFlags & { fromOperation?: string },
  filter: Filter | undefined,
  ways: string,
): Selection {
  const given = [flags.builds, flags.ids, filter, flags.fromOperation].filter((x) => x !== undefined).length;
  if (given !== 1) throw new UsageError(`give exactly one of ${ways}`);
  if (flags.builds) return { buildNumbers: flags.builds };
  if (flags.ids) return { buildIds: flags.ids };
  if (flags.fromOperation) return { fromOperation: flags.fromOperation };
  return { filter: filter as Filter };
}

async function runBulk(
  kind: OperationKind,
  c: Client,
  scope: Scope,
  selection: Selection,
  flags: BulkFlags & { force?: boolean },
): Promise<number> {
  if ("buildNumbers" in selection && !scope.pipeline) {
    throw new UsageError("--builds are numbers within a pipeline: give --pipeline");
  }
  const preview = await c.api.preview(kind, scope, selection);
  const per = "filter" in selection ? selection.filter.keepNewest?.per : undefined;
  for (const line of describePreview(kind, preview, scope, flags.force === true, per)) c.out.say(line);
  if (flags.dryRun || preview.total === 0) {
    if (c.out.json) c.out.data({ preview, operation: null });
    return EXIT.ok;
  }
  const confirmCount = (flags as CancelFlags).confirm;
  if (CLI_KINDS[kind].stops && preview.confirmation?.required && confirmCount !== preview.total) {
    throw new UsageError(
      `this cancel reaches ${plural(preview.total, "build")}${
        preview.confirmation.stages.length > 0 ? ` with ${preview.confirmation.stages.join(", ")} in flight` : ""
      }: confirm with --confirm ${preview.total}`,
    );
  }
  let op = await c.api.confirm(kind, scope, {
    ...selection,
    snapshot: preview.snapshot,
    ...(flags.reason !== undefined ? { reason: flags.reason } : {}),
    ...(flags.force ? { force: true } : {}),
    ...(CLI_KINDS[kind].stops && confirmCount !== undefined ? { confirmCount } : {}),
  });
  c.out.say(`Operation ${op.id}: ${CLI_KINDS[kind].doing} ${plural(op.total, "build")}`);
  if (flags.wait) op = await watchOperation(c, op);
  c.out.say(summary(op));
  if (CLI_KINDS[kind].listsCreated && !c.out.json) {
    const created = await c.api.operationItems(op.id, { outcome: "created", limit: 50 });
    for (const item of created.items) c.out.say(`  #${item.buildNumber} → ${item.note ?? "?"}`);
    if (created.nextCursor) c.out.say("  …");
  }
  if (c.out.json) c.out.data({ preview, operation: op });
  return op.counts.failed > 0 ? EXIT.failed : EXIT.ok;
}

export function summary(op: Operation): string {
  return `${countsLine(op.kind, op.counts)}${op.status === "completed" ? "" : ` · ${op.counts.pending} pending`}`;
}

/** Running first: what a cancel stops, before what it merely dequeues. */
const PREVIEW_ORDER = ["RUNNING", "CANCELING", "QUEUED", ...TERMINAL_STATUSES] as const;

/** "12 builds to cancel: 2 running, 10 queued (web-app up to #580)", per pipeline, the newest builds. */
function describePreview(
  kind: OperationKind,
  p: BatchPreview,
  scope: Scope,
  force: boolean,
  per: KeepNewestPer | undefined,
): string[] {
  if (p.total === 0) return [`No builds to ${CLI_KINDS[kind].noun}.`];
  const statuses = PREVIEW_ORDER.filter((s) => (p.byStatus[s] ?? 0) > 0)
    .map((s) => `${p.byStatus[s]} ${s.toLowerCase()}`)
    .join(", ");
  const upTo = Object.entries(p.upTo)
    .map(([pipeline, n]) => `${pipeline} up to #${n}`)
    .join(", ");
  const lines = [`${plural(p.total, "build")} to ${CLI_KINDS[kind].noun}: ${statuses}${upTo ? ` (${upTo})` : ""}`];
  if (p.kept > 0) lines.push(`Kept: ${keptLine(p, per ?? "branch")}`);
  const patterns = p.leftOut.patterns.join(", ");
  if (p.leftOut.protectedBranches > 0) {
    lines.push(
      `Left out: ${plural(p.leftOut.protectedBranches, "build")} on protected branches (${patterns}); --include-protected-branches reaches them`,
    );
  } else if (p.leftOut.included && patterns) {
    lines.push(`Protected branches (${patterns}) included`);
  }
  if (CLI_KINDS[kind].stops && p.protected > 0) {
    lines.push(
      force
        ? `${p.protected} of them run a protected job: --force stops them too`
        : `${p.protected} of them run a protected job and are left running (--force stops them too)`,
    );
  }
  if (CLI_KINDS[kind].stops && p.impact) lines.push(...impactLines(p));
  const pipelines = Object.entries(p.byPipeline);
  if (!scope.pipeline && pipelines.length > 0) {
    lines.push(`Per pipeline: ${pipelines.map(([name, n]) => `${name} ${n}`).join(" · ")}`);
  }
  const { headers, rows } = buildRows(p.first, !scope.pipeline);
  lines.push(`Newest ${p.first.length === p.total ? "" : `${p.first.length} of ${p.total}`}:`.replace(" :", ":"));
  lines.push(
    ...table(headers, rows)
      .split("\n")
      .map((l) => `  ${l}`),
  );
  return lines;
}

const KEY_PLURAL: Record<KeepNewestPer, string> = { branch: "branches", pipeline: "pipelines", group: "groups" };

/** "the newest build of each of 7 branches", "the newest builds of each of 3 pipelines (6 builds)". */
function keptLine(p: BatchPreview, per: KeepNewestPer): string {
  const one = p.kept === p.keptKeys;
  const keys = `each of ${p.keptKeys} ${p.keptKeys === 1 ? per : KEY_PLURAL[per]}`;
  return one ? `the newest build of ${keys}` : `the newest builds of ${keys} (${plural(p.kept, "build")})`;
}

/** "Impact: stops 12 running builds on 3 agents (4h 10m of work done); about 2h 30m of queued work avoided", what is in flight. */
function impactLines(p: BatchPreview): string[] {
  const impact = p.impact;
  if (!impact) return [];
  const parts = [];
  if (p.byStatus.RUNNING > 0) {
    parts.push(
      `stops ${plural(p.byStatus.RUNNING, "running build")} on ${plural(impact.runningByAgent.length, "agent")} (${hours(impact.workDoneSeconds)} of work done)`,
    );
  }
  if (impact.workAvoidedSeconds > 0) parts.push(`about ${hours(impact.workAvoidedSeconds)} of queued work avoided`);
  const lines = parts.length > 0 ? [`Impact: ${parts.join("; ")}`] : [];
  if (impact.runningByAgent.length > 0) {
    lines.push(`Per agent: ${impact.runningByAgent.map((a) => `${a.agent} ${a.builds}`).join(" · ")}`);
  }
  if (impact.inFlight.length > 0) {
    lines.push(
      `In flight: ${impact.inFlight.map((f) => `${f.builds} in stage ${f.stage}, step ${f.step}`).join(" · ")}`,
    );
  }
  if (impact.pullRequests.length > 0) {
    lines.push(`Pull requests: ${impact.pullRequests.map((pr) => `${pr.repository}#${pr.number}`).join(", ")}`);
  }
  return lines;
}

function hours(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${seconds % 60}s` : `${seconds}s`;
}
