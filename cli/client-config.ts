/**
 * Where the client commands find the engine, the token and default names. Each setting comes
 * from the first of: a flag, the environment (SLUICE_ENGINE_URL, SLUICE_TOKEN), the config file
 * (`$SLUICE_CONFIG`, else `~/.config/sluice/config.json`), and — for a CLI beside a local engine —
 * its admin token (SLUICE_ADMIN_TOKEN or `<data dir>/admin-token`) and `http://127.0.0.1:<engine port>`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import type { Config } from "../common/config.ts";
import { ResourceName } from "../common/dto.ts";
import { NoTokenError, UsageError } from "./exit-codes.ts";

const ConfigFile = z.strictObject({
  engineUrl: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional(),
  token: z.string().min(1).optional(),
  project: ResourceName.optional(),
  pipeline: ResourceName.optional(),
});
export type ConfigFile = z.infer<typeof ConfigFile>;

export type ClientSettings = {
  engineUrl: string;
  token: string;
  project: string | undefined;
  pipeline: string | undefined;
};

export function configFilePath(config: Config): string {
  return config.cliConfigFile ?? path.join(os.homedir(), ".config", "sluice", "config.json");
}

/** The config file's settings; none when the default file does not exist. A named file must. */
export function readConfigFile(config: Config): ConfigFile {
  const file = configFilePath(config);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" && config.cliConfigFile === undefined) return {};
    throw new UsageError(`cannot read the config file ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`the config file ${file} is not valid JSON`);
  }
  const parsed = ConfigFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new UsageError(`the config file ${file} is not valid: ${problems.join("; ")}`);
  }
  if (parsed.data.token !== undefined && (fs.statSync(file).mode & 0o077) !== 0) {
    process.stderr.write(`warning: ${file} holds a token and others may read it (chmod 600 ${file})\n`);
  }
  return parsed.data;
}

export function clientSettings(
  config: Config,
  flags: { engine?: string | undefined; project?: string | undefined; pipeline?: string | undefined },
): ClientSettings {
  const file = readConfigFile(config);
  const engineUrl = flags.engine ?? config.engineUrl ?? file.engineUrl ?? `http://127.0.0.1:${config.enginePort}`;
  return {
    engineUrl: engineUrl.replace(/\/$/, ""),
    token: config.token ?? file.token ?? localAdminToken(config),
    project: flags.project ?? file.project,
    pipeline: flags.pipeline ?? file.pipeline,
  };
}

function localAdminToken(config: Config): string {
  if (config.adminToken) return config.adminToken;
  const file = path.join(config.dataDir, "admin-token");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  throw new NoTokenError(
    `no token: set SLUICE_TOKEN, put "token" in ${configFilePath(config)}, or run where ${file} exists`,
  );
}
