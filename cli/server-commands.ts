/**
 * `sluice start|engine|bff|agent`: the processes. Each loads its code when run, so the client
 * commands start without loading the engine, the BFF or the agent.
 */
import type { Command } from "commander";
import { type CliContext, positiveIntOrZero } from "./cli-context.ts";

export function registerServerCommands(program: Command, ctx: CliContext): void {
  program
    .command("start")
    .description("engine, local agent and BFF with the web page in one process (what npm start runs)")
    .addHelpText("after", "\nConfiguration comes from the environment (SLUICE_*, PORT, DATABASE_URL); see the README.")
    .action(() => runEngine(ctx, true));

  program
    .command("engine")
    .description("the engine and its local agent (SLUICE_AGENT_SLOTS=0 for none); no BFF, no demo")
    .addHelpText("after", "\nConfiguration comes from the environment (SLUICE_*, DATABASE_URL); see the README.")
    .action(() => runEngine(ctx, false));

  program
    .command("bff")
    .description("the BFF and the web page alone, against an engine elsewhere")
    .option("--engine <urls>", "engines, comma-separated, in failover order (default: SLUICE_ENGINE_URL)")
    .action(async (flags: { engine?: string }) => {
      const { runBff } = await import("./bff-command.ts");
      ctx.exit(await runBff(ctx.config, flags));
    });

  program
    .command("agent")
    .description("a standalone agent running jobs for remote engines (agent token in SLUICE_TOKEN)")
    .option("--engine <urls>", "engines, comma-separated, in failover order (default: SLUICE_ENGINE_URL)")
    .option("--name <name>", "the agent's name (default: SLUICE_AGENT_NAME, else one kept in the data dir)")
    .option("--slots <n>", "jobs at once (default: SLUICE_AGENT_SLOTS)", positiveIntOrZero(256))
    .action(async (flags: { engine?: string; name?: string; slots?: number }) => {
      const { runAgent } = await import("./agent-command.ts");
      ctx.exit(await runAgent(ctx.config, flags));
    });

  program
    .command("backup")
    .description("copies the instance's SQLite database and data dir files into one file, while it runs")
    .argument("<file>", "where the backup goes (never overwritten)")
    .addHelpText(
      "after",
      "\nThe instance is SLUICE_DATA_DIR's. With DATABASE_URL (PostgreSQL) it prints the pg_dump recipe instead.",
    )
    .action(async (file: string) => {
      const { backup } = await import("./backup.ts");
      ctx.exit(await backup(ctx.config, file, stderr, stdout));
    });

  program
    .command("restore")
    .description("makes an empty data dir (SLUICE_DATA_DIR) a copy of the instance a backup was taken of")
    .argument("<file>", "a file made by sluice backup")
    .action(async (file: string) => {
      const { restore } = await import("./backup.ts");
      ctx.exit(await restore(ctx.config, file, stderr, stdout));
    });
}

const stderr = (text: string) => void process.stderr.write(text);
const stdout = (text: string) => void process.stdout.write(text);

async function runEngine(ctx: CliContext, all: boolean): Promise<never> {
  const { startEngineProcess, stopOnSignals } = await import("./engine-process.ts");
  const { DEMO_USERS, demoPasswordFile } = await import("./demo.ts");
  const { welcomeMessage } = await import("./welcome.ts");
  const config = ctx.config;
  const running = await startEngineProcess(config, { demo: config.demo && all, bff: all });
  stopOnSignals(running.stop, running.stopDeadlineMs);
  process.stderr.write(
    running.bff
      ? welcomeMessage({
          pageUrl: running.bff.url,
          engineUrl: running.engine.url,
          dataDir: config.dataDir,
          adminPasswordFromEnv: config.adminPassword !== undefined,
          adminTokenFromEnv: config.adminToken !== undefined,
          demoUsers: config.demo ? DEMO_USERS.map((u) => ({ ...u, passwordFile: demoPasswordFile(u.username) })) : [],
          ...(running.demoRepository ? { demoRepository: running.demoRepository } : {}),
          cwd: process.cwd(),
        })
      : `Sluice engine on ${running.engine.url}\n`,
  );
  // Runs until a signal stops it (stopOnSignals exits the process).
  return new Promise<never>(() => {});
}
