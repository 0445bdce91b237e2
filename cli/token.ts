/** The token CLI commands use: SLUICE_TOKEN, else the admin token kept in the data dir. */
import fs from "node:fs";
import path from "node:path";
import type { Config } from "../common/config.ts";

export function readToken(config: Config): string {
  if (config.token) return config.token;
  if (config.adminToken) return config.adminToken;
  const file = path.join(config.dataDir, "admin-token");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  throw new Error(`No token: set SLUICE_TOKEN, or run where ${file} exists`);
}

export function engineUrlOf(config: Config, flag: string | undefined): string {
  return (flag ?? config.engineUrl ?? `http://127.0.0.1:${config.enginePort}`).replace(/\/$/, "");
}
