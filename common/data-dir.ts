/**
 * A data dir (the engine's: the SQLite database and the generated secrets; an agent's: its id)
 * may be entered only by its OS user (0700), and its files are 0600. Steps never see it (they run
 * as another user, and it is hidden in their mount namespace).
 */
import fs from "node:fs";
import path from "node:path";

export const DATABASE_FILE = "sluice.db";

/** Creates the data dir (0700) or tightens it, and checks it can be written; the error names the path. */
export function prepareDataDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw new Error(`Cannot use the data dir ${dir}: ${reasonOf(err)}`);
  }
}

/** The database file and its WAL companions: owner only. */
export function tightenDatabaseFiles(dir: string): void {
  for (const suffix of ["", "-wal", "-shm"]) {
    const file = path.join(dir, `${DATABASE_FILE}${suffix}`);
    if (fs.existsSync(file)) fs.chmodSync(file, 0o600);
  }
}

export function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "EROFS":
      return "the file system is read-only";
    case "ENOSPC":
      return "no space left on the device";
    case "EEXIST":
      return "a file is in the way";
    default:
      return e?.message ?? String(err);
  }
}
