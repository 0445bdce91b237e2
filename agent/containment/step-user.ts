/**
 * The unprivileged OS user steps run as when the agent runs as root: `SLUICE_STEP_USER`, by
 * default `sluice-step`, created on first start when it does not exist.
 */
import { execFile } from "node:child_process";
import fsp from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

export type StepUser = { name: string; uid: number; gid: number };

export const DEFAULT_STEP_USER = "sluice-step";

/** Looks the user up in the password database (`getent`, so NSS users count too). */
export async function findUser(name: string): Promise<StepUser | undefined> {
  try {
    const { stdout } = await run("getent", ["passwd", name]);
    const [user, , uid, gid] = stdout.trim().split(":");
    if (user === name && uid !== undefined && gid !== undefined) return { name, uid: Number(uid), gid: Number(gid) };
  } catch {
    // Not found (exit 2), or no getent: fall back to the file.
  }
  try {
    const line = (await fsp.readFile("/etc/passwd", "utf8")).split("\n").find((l) => l.startsWith(`${name}:`));
    const [, , uid, gid] = line?.split(":") ?? [];
    if (uid !== undefined && gid !== undefined) return { name, uid: Number(uid), gid: Number(gid) };
  } catch {
    // No /etc/passwd.
  }
  return undefined;
}

/**
 * The step user, created when it is the default one and missing (a system user with its own
 * group, no home and no login shell). Another agent creating it at the same moment is fine.
 */
export async function ensureStepUser(name: string): Promise<StepUser> {
  const existing = await findUser(name);
  if (existing) return checked(existing);
  if (name !== DEFAULT_STEP_USER) {
    throw new Error(`SLUICE_STEP_USER "${name}" does not exist; create it or leave the setting unset`);
  }
  try {
    await run("useradd", [
      "--system",
      "--user-group",
      "--no-create-home",
      "--home-dir",
      "/nonexistent",
      "--shell",
      "/usr/sbin/nologin",
      name,
    ]);
  } catch (err) {
    const raced = await findUser(name);
    if (raced) return checked(raced);
    throw new Error(`Could not create the step user "${name}" with useradd: ${(err as Error).message}`);
  }
  const created = await findUser(name);
  if (!created) throw new Error(`useradd did not create the step user "${name}"`);
  return checked(created);
}

function checked(user: StepUser): StepUser {
  if (user.uid === 0 || user.gid === 0) {
    throw new Error(
      `The step user "${user.name}" is root (uid ${user.uid}, gid ${user.gid}); choose an unprivileged user`,
    );
  }
  return user;
}
