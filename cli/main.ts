/** The `sluice` command. */
import { loadConfig } from "../common/config.ts";
import { runAgent } from "./agent-command.ts";
import { runBff } from "./bff-command.ts";
import { runCancel } from "./cancel-command.ts";
import { DEMO_USERS, demoPasswordFile } from "./demo.ts";
import { startEngineProcess, stopOnSignals } from "./engine-process.ts";
import { welcomeMessage } from "./welcome.ts";

const USAGE = `Usage: sluice <command> [options]

Commands:
  start     engine, local agent and BFF in one process (the all-in-one start)
  engine    the engine and its local agent (SLUICE_AGENT_SLOTS=0 for none)
  bff       the BFF and web page alone: --engine URL (or SLUICE_ENGINE_URL)
  agent     a standalone agent: --engine URL[,URL...] [--name NAME] [--slots N] (token: SLUICE_TOKEN)
  cancel    cancel builds: --project P [--pipeline X] (--builds 12,13 | --ids 381,382 | --all-running | --branch B)
            [--reason R] [--force] [--dry-run] [--wait]

Configuration comes from the environment; see the README.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // biome-ignore lint/style/noProcessEnv: the one place the environment is read, parsed once into Config
  const config = loadConfig(process.env);
  switch (command) {
    case "start":
    case "engine": {
      const running = await startEngineProcess(config, {
        demo: config.demo && command === "start",
        bff: command === "start",
      });
      stopOnSignals(running.stop, running.stopDeadlineMs);
      process.stderr.write(
        running.bff
          ? welcomeMessage({
              pageUrl: running.bff.url,
              engineUrl: running.engine.url,
              dataDir: config.dataDir,
              adminPasswordFromEnv: config.adminPassword !== undefined,
              adminTokenFromEnv: config.adminToken !== undefined,
              demoUsers: config.demo
                ? DEMO_USERS.map((u) => ({ ...u, passwordFile: demoPasswordFile(u.username) }))
                : [],
              cwd: process.cwd(),
            })
          : `Sluice engine on ${running.engine.url}\n`,
      );
      return new Promise<number>(() => {});
    }
    case "bff":
      return runBff(config, rest);
    case "agent":
      return runAgent(config, rest);
    case "cancel":
      return runCancel(config, rest);
    case undefined:
    case "help":
    case "--help":
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`Unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
