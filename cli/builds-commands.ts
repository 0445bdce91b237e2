/** `sluice builds list|show`: a pipeline's (or a project's) history, and one build with its jobs and steps. */
import type { Command } from "commander";
import type { Build, Page } from "../common/dto.ts";
import { BUILD_STATUSES } from "../common/statuses.ts";
import {
  type CliContext,
  type ClientFlags,
  connect,
  engineOption,
  jsonOption,
  numberList,
  positiveInt,
  scopeOf,
  scopeOptions,
  statusList,
} from "./cli-context.ts";
import { EngineError } from "./engine-error.ts";
import { UsageError } from "./exit-codes.ts";
import { ago, buildRows, duration, table } from "./output.ts";

type ListFlags = ClientFlags & { status?: string[]; branch?: string; limit?: number; cursor?: string };

export function registerBuildCommands(program: Command, ctx: CliContext): void {
  const builds = program.command("builds").description("builds: list a history, show one build");

  const list = builds
    .command("list")
    .description("builds newest first: of a pipeline, or of every pipeline of the project")
    .option(
      "--status <statuses>",
      `only these, comma-separated (${BUILD_STATUSES.map((s) => s.toLowerCase()).join(", ")})`,
      statusList(BUILD_STATUSES),
    )
    .option("--branch <name>", "only this branch")
    .option("--limit <n>", "at most this many (1-200, default 30)", positiveInt(200))
    .option("--cursor <cursor>", "the next page of a pipeline's history, as the previous page printed it");
  scopeOptions(list, "optional");
  engineOption(jsonOption(list));
  list.addHelpText(
    "after",
    "\nExamples:\n  sluice builds list --project demo --pipeline web-app --status running,queued\n  sluice builds list --project demo --branch main --json",
  );
  list.action(async (flags: ListFlags) => {
    const c = connect(ctx, flags);
    const scope = scopeOf(c, flags, "optional");
    const query = {
      ...(flags.status ? { status: flags.status } : {}),
      ...(flags.branch !== undefined ? { branch: flags.branch } : {}),
      limit: flags.limit ?? 30,
    };
    let page: Page<Build>;
    if (scope.pipeline) {
      page = await c.api.builds(scope.project, scope.pipeline, {
        ...query,
        ...(flags.cursor ? { cursor: flags.cursor } : {}),
      });
    } else {
      if (flags.cursor) throw new UsageError("--cursor pages one pipeline's history: give --pipeline");
      // The engine keeps history per pipeline: the newest of each, merged (ids grow with time).
      const pipelines = await c.api.pipelines(scope.project);
      const pages = await Promise.all(pipelines.map((p) => c.api.builds(scope.project, p.name, query)));
      const items = pages
        .flatMap((p) => p.items)
        .sort((a, b) => b.id - a.id)
        .slice(0, query.limit);
      page = { items, nextCursor: null };
    }
    if (c.out.json) c.out.data(page);
    else if (page.items.length === 0) c.out.say("No builds.");
    else {
      const { headers, rows } = buildRows(page.items, !scope.pipeline);
      c.out.say(table(headers, rows));
    }
    if (page.nextCursor) process.stderr.write(`More: --cursor ${page.nextCursor}\n`);
  });

  const show = builds
    .command("show")
    .description("a build with its jobs and steps")
    .argument(
      "<number>",
      "the build's number within the pipeline (#12 or 12)",
      (v) => numberList("build number")(v)[0],
    );
  scopeOptions(show, "required");
  engineOption(jsonOption(show));
  show.addHelpText("after", "\nExample:\n  sluice builds show 12 --project demo --pipeline web-app");
  show.action(async (number: number, flags: ClientFlags) => {
    const c = connect(ctx, flags);
    const scope = scopeOf(c, flags, "required");
    const build = await c.api.buildByNumber(scope.project, scope.pipeline as string, number);
    if (!build) {
      throw new EngineError(404, "build_not_found", `Build #${number} not found in ${scope.project}/${scope.pipeline}`);
    }
    if (c.out.json) {
      c.out.data(build);
      return;
    }
    const lines = [
      `${build.project}/${build.pipeline} #${build.number}  ${build.status}${build.statusReason ? ` (${build.statusReason})` : ""}`,
      `branch ${build.branch} · commit ${build.commit.slice(0, 12) || "-"} · by ${build.triggeredBy} · created ${ago(build.createdAt)} · took ${duration(build.startedAt, build.finishedAt)} · id ${build.id}`,
    ];
    if (build.cancel) {
      lines.push(
        `canceled by ${build.cancel.by}${build.cancel.reason ? `: ${build.cancel.reason}` : ""} (operation ${build.cancel.operationId})`,
      );
    }
    const params = Object.entries(build.params);
    if (params.length > 0) lines.push(`params ${params.map(([k, v]) => `${k}=${v}`).join(" ")}`);
    lines.push("");
    const rows: string[][] = [];
    for (const job of build.jobs) {
      rows.push([
        `${job.stage} / ${job.name}`,
        job.stopRequestedAt && job.status === "RUNNING" ? "CANCELING" : job.status,
        job.agentId ?? "-",
        duration(job.startedAt, job.finishedAt),
      ]);
      for (const step of job.steps) {
        rows.push([
          `  ${step.index + 1}. ${step.name}`,
          step.status,
          step.exitCode === null ? "" : `exit ${step.exitCode}`,
          duration(step.startedAt, step.finishedAt),
        ]);
      }
    }
    lines.push(build.jobs.length === 0 ? "No jobs." : table(["JOB / STEP", "STATUS", "AGENT", "DURATION"], rows));
    c.out.say(lines.join("\n"));
  });
}
