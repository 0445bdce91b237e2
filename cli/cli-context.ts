/** What every client command shares: the parsed configuration, the engine client, its options and value parsers. */
import { type Command, InvalidArgumentError } from "commander";
import type { Config } from "../common/config.ts";
import { type ClientSettings, clientSettings } from "./client-config.ts";
import { EngineApi, type Scope } from "./engine-api.ts";
import { UsageError } from "./exit-codes.ts";
import { createOutput, type Output } from "./output.ts";

export type CliContext = {
  config: Config;
  /** The exit code of a command that ran to its end (0 unless it says otherwise). */
  exit: (code: number) => void;
};

/** Options every client command takes. */
export type ClientFlags = {
  engine?: string;
  json?: boolean;
  project?: string;
  pipeline?: string;
  allPipelines?: boolean;
};

export function engineOption(cmd: Command): Command {
  return cmd.option("--engine <url>", "the engine (default: SLUICE_ENGINE_URL, the config file, the local engine)");
}

export function jsonOption(cmd: Command): Command {
  return cmd.option("--json", "print JSON only, on stdout (messages go to stderr)");
}

/** --project and --pipeline (defaults from the config file); where the pipeline is optional, --all-pipelines drops the default. */
export function scopeOptions(cmd: Command, pipeline: "required" | "optional"): Command {
  cmd.option("--project <name>", "the project (default: the config file's project)");
  cmd.option("--pipeline <name>", "the pipeline (default: the config file's pipeline)");
  if (pipeline === "optional") {
    cmd.option("--all-pipelines", "every pipeline of the project, even when the config file names a pipeline");
  }
  return cmd;
}

export type Client = { api: EngineApi; out: Output; settings: ClientSettings };

export function connect(ctx: CliContext, flags: ClientFlags): Client {
  const settings = clientSettings(ctx.config, flags);
  return { api: new EngineApi(settings.engineUrl, settings.token), out: createOutput(flags.json === true), settings };
}

/** The project (required) and pipeline from the flags or the config file; --all-pipelines drops the file's pipeline. */
export function scopeOf(c: Client, flags: ClientFlags, pipeline: "required" | "optional"): Scope {
  const project = c.settings.project;
  if (!project) throw new UsageError('--project is required (or set "project" in the config file)');
  const chosen = flags.allPipelines && !flags.pipeline ? undefined : c.settings.pipeline;
  if (pipeline === "required" && !chosen) {
    throw new UsageError('--pipeline is required (or set "pipeline" in the config file)');
  }
  return { project, pipeline: chosen };
}

/** `12,13`, `#12,#13`: positive whole numbers. */
export function numberList(what: string) {
  return (text: string): number[] =>
    text.split(",").map((s) => {
      const trimmed = s.trim().replace(/^#/, "");
      const n = Number(trimmed);
      if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(n) || n <= 0) {
        throw new InvalidArgumentError(`not a ${what}: "${s}"`);
      }
      return n;
    });
}

export function positiveInt(max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1 || n > max)
      throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
    return n;
  };
}

/** `running,queued` → ["RUNNING", "QUEUED"], only from `allowed`. */
export function statusList(allowed: readonly string[]) {
  return (text: string): string[] => {
    const statuses = [...new Set(text.split(",").map((s) => s.trim().toUpperCase()))].filter((s) => s !== "");
    const bad = statuses.filter((s) => !allowed.includes(s));
    if (statuses.length === 0 || bad.length > 0) {
      throw new InvalidArgumentError(`use ${allowed.map((s) => s.toLowerCase()).join(", ")}`);
    }
    return statuses;
  };
}

/** A comma list of `allowed` values, kept in lower case. */
export function choiceList(allowed: readonly string[]) {
  return (text: string): string[] => {
    const values = [...new Set(text.split(",").map((s) => s.trim().toLowerCase()))].filter((s) => s !== "");
    if (values.length === 0 || values.some((v) => !allowed.includes(v))) {
      throw new InvalidArgumentError(`use ${allowed.join(", ")}`);
    }
    return values;
  };
}

export function positiveIntOrZero(max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n > max) throw new InvalidArgumentError(`must be a whole number from 0 to ${max}`);
    return n;
  };
}
