/** The `sluice` command tree (commander): the processes, the client commands and shell completion. */
import { Command } from "commander";
import { registerBuildCommands } from "./builds-commands.ts";
import { registerBulkCommands } from "./bulk-commands.ts";
import type { CliContext } from "./cli-context.ts";
import { registerCompletion } from "./completion.ts";
import { EXIT_CODES_HELP } from "./exit-codes.ts";
import { registerOperationCommands } from "./operations-commands.ts";
import { registerRepositoryCommands } from "./repositories-commands.ts";
import { registerServerCommands } from "./server-commands.ts";

const CONFIG_HELP = `
Configuration (client commands): a flag, else the environment (SLUICE_ENGINE_URL, SLUICE_TOKEN),
else the config file ($SLUICE_CONFIG or ~/.config/sluice/config.json: engineUrl, token, project,
pipeline), else the local engine (http://127.0.0.1:$SLUICE_ENGINE_PORT and its admin token in the
data dir). The processes (start, engine, bff, agent) read the environment; see the README.`;

export function buildProgram(ctx: CliContext): Command {
  const program = new Command("sluice")
    .description("Sluice, a CI build engine: run it, and list, cancel and re-run builds from the command line")
    // Set before the subcommands are added: they inherit these.
    .exitOverride()
    .showSuggestionAfterError()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ outputError: (text, write) => write(text) });

  registerServerCommands(program, ctx);
  registerBuildCommands(program, ctx);
  registerBulkCommands(program, ctx);
  registerOperationCommands(program, ctx);
  registerRepositoryCommands(program, ctx);
  registerCompletion(program);

  program.addHelpText("after", `${CONFIG_HELP}\n${EXIT_CODES_HELP}`);
  const visit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      if (sub.commands.length === 0) sub.addHelpText("after", EXIT_CODES_HELP);
      visit(sub);
    }
  };
  visit(program);
  return program;
}
