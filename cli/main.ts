/** The `sluice` command: parses the environment once, runs the command, exits with a documented code. */
import { CommanderError } from "commander";
import { loadConfig } from "../common/config.ts";
import { EXIT, errorLine, exitCodeOf, UsageError } from "./exit-codes.ts";
import { buildProgram } from "./program.ts";

async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  try {
    // biome-ignore lint/style/noProcessEnv: the one place the environment is read, parsed once into Config
    const config = loadConfig(process.env);
    const program = buildProgram({ config, exit: (c) => (code = c) });
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (err) {
    // Commander has printed its message (unknown option, missing value, help).
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    process.stderr.write(`${errorLine(err)}\n`);
    if (err instanceof UsageError) process.stderr.write("(run with --help for usage)\n");
    return exitCodeOf(err);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(EXIT.failed);
  },
);
