/**
 * `sluice repositories list|show|deliveries` and `sluice hooks rotate-secret|redeliver`: a
 * project's repositories, what their hooks delivered and did, a new hook secret (shown once), and
 * a delivery processed again.
 */
import type { Command } from "commander";
import type { HookDelivery } from "../common/contract/repositories.ts";
import { type CliContext, type ClientFlags, connect, engineOption, jsonOption, positiveInt } from "./cli-context.ts";
import { UsageError } from "./exit-codes.ts";
import { ago, table } from "./output.ts";

type ProjectFlags = ClientFlags & { project?: string };

function projectOf(c: ReturnType<typeof connect>): string {
  const project = c.settings.project;
  if (!project) throw new UsageError('--project is required (or set "project" in the config file)');
  return project;
}

/** What a delivery did, in a few words. */
export function effectOf(d: HookDelivery): string {
  const parts: string[] = [];
  if (d.effects.created.length > 0) {
    parts.push(`started ${d.effects.created.map((b) => `${b.pipeline} #${b.number}`).join(", ")}`);
  }
  if (d.effects.operationId) parts.push(`canceled ${d.effects.canceled} (operation ${d.effects.operationId})`);
  if (d.reason) parts.push(d.reason);
  return parts.join("; ") || "-";
}

export function registerRepositoryCommands(program: Command, ctx: CliContext): void {
  const repositories = program.command("repositories").description("a project's repositories: list, show, deliveries");

  const list = repositories
    .command("list")
    .description("the project's repositories (maintainers)")
    .option("--project <name>", "the project (default: the config file's project)");
  engineOption(jsonOption(list));
  list.action(async (flags: ProjectFlags) => {
    const c = connect(ctx, flags);
    const items = await c.api.repositories(projectOf(c));
    if (c.out.json) c.out.data({ items });
    else
      c.out.say(
        items.length === 0
          ? "No repositories."
          : table(
              ["NAME", "PROVIDER", "URL", "STATUSES", "HOOK URL"],
              items.map((r) => [r.name, r.provider, r.url, r.statuses && r.credentialsSet ? "on" : "off", r.hookUrl]),
            ),
      );
  });

  const show = repositories
    .command("show")
    .description("a repository: where it is, its hook URL, whether credentials are set (never the secrets)")
    .argument("<name>", "the repository")
    .option("--project <name>", "the project (default: the config file's project)");
  engineOption(jsonOption(show));
  show.action(async (name: string, flags: ProjectFlags) => {
    const c = connect(ctx, flags);
    const r = await c.api.repository(projectOf(c), name);
    if (c.out.json) c.out.data(r);
    else
      c.out.say(
        [
          `${r.project}/${r.name} (${r.provider})`,
          `  url:          ${r.url}`,
          `  hook URL:     ${r.hookUrl}`,
          `  secret set:   ${r.hookSecretRotatedAt}`,
          `  credentials:  ${r.credentialsSet ? "set" : "none"}`,
          `  statuses:     ${r.statuses ? (r.credentialsSet && r.provider !== "generic" ? "on" : "on, but need credentials and a provider with a status API") : "off"}`,
          ...(r.webUrl ? [`  web:          ${r.webUrl}`] : []),
        ].join("\n"),
      );
  });

  const deliveries = repositories
    .command("deliveries")
    .description("what the repository's hook delivered and what each delivery did, newest first")
    .argument("<name>", "the repository")
    .option("--project <name>", "the project (default: the config file's project)")
    .option("--limit <n>", "at most this many (1-200, default 50)", positiveInt(200))
    .option("--cursor <cursor>", "the next page, as the previous page printed it");
  engineOption(jsonOption(deliveries));
  deliveries.action(async (name: string, flags: ProjectFlags & { limit?: number; cursor?: string }) => {
    const c = connect(ctx, flags);
    const page = await c.api.hookDeliveries(projectOf(c), name, {
      ...(flags.limit ? { limit: flags.limit } : {}),
      ...(flags.cursor ? { cursor: flags.cursor } : {}),
    });
    if (c.out.json) c.out.data(page);
    else
      c.out.say(
        page.items.length === 0
          ? "No deliveries."
          : table(
              ["ID", "EVENT", "REF", "BY", "STATUS", "WHAT IT DID", "RECEIVED"],
              page.items.map((d) => [
                String(d.id),
                d.action ? `${d.event} ${d.action}` : d.event,
                d.pullRequest ? `#${d.pullRequest}` : (d.branch ?? "-"),
                d.sender ?? "-",
                d.status,
                effectOf(d),
                ago(d.receivedAt),
              ]),
            ),
      );
    if (page.nextCursor) process.stderr.write(`More: --cursor ${page.nextCursor}\n`);
  });

  const hooks = program.command("hooks").description("a repository's inbound hook");
  const rotate = hooks
    .command("rotate-secret")
    .description("make a new hook secret, shown once; the old one stops working at once")
    .argument("<repository>", "the repository")
    .option("--project <name>", "the project (default: the config file's project)");
  engineOption(jsonOption(rotate));
  rotate.addHelpText("after", "\nPut the new secret in the provider's webhook settings right away.");
  rotate.action(async (name: string, flags: ProjectFlags) => {
    const c = connect(ctx, flags);
    const r = await c.api.rotateHookSecret(projectOf(c), name);
    if (c.out.json) c.out.data(r);
    else
      c.out.say(`New hook secret for ${r.project}/${r.name} (shown once):\n  ${r.hookSecret}\nHook URL: ${r.hookUrl}`);
  });

  const redeliver = hooks
    .command("redeliver")
    .description(
      "process a delivery again, as a new delivery of the same event (its ID from `repositories deliveries`)",
    )
    .argument("<repository>", "the repository")
    .argument("<delivery>", "the delivery's ID", positiveInt(Number.MAX_SAFE_INTEGER))
    .option("--project <name>", "the project (default: the config file's project)");
  engineOption(jsonOption(redeliver));
  redeliver.action(async (name: string, delivery: number, flags: ProjectFlags) => {
    const c = connect(ctx, flags);
    const d = await c.api.redeliverHook(projectOf(c), name, delivery);
    if (c.out.json) c.out.data(d);
    else
      c.out.say(
        `Delivery ${delivery} sent again as delivery ${d.id} (${d.status}); see \`sluice repositories deliveries ${name}\`.`,
      );
  });
}
