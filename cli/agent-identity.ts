/**
 * An agent's id: `SLUICE_AGENT_NAME` when set, else `<host>-<random>` made once and kept in the
 * data dir, so every engine instance's in-process agent (and every standalone agent) has its own,
 * the same across restarts.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { prepareDataDir } from "../common/data-dir.ts";

const FILE = "agent-id";

export function agentIdentity(dataDir: string, explicit: string | undefined): string {
  if (explicit) return explicit;
  prepareDataDir(dataDir);
  const file = path.join(dataDir, FILE);
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const host =
    os
      .hostname()
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, "-")
      .replace(/^[^a-z0-9]+/, "")
      .slice(0, 40) || "agent";
  const id = `${host}-${crypto.randomBytes(4).toString("hex")}`;
  fs.writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}
