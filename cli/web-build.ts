/** `npm start` serves the built page: build it first when it is missing or older than its sources. */
import fs from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const WEB_DIST = path.join(ROOT, "web", "dist");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

export async function ensureWebBuild(log: (msg: string) => void): Promise<void> {
  const index = path.join(WEB_DIST, "index.html");
  const sources = [path.join(ROOT, "web", "src"), path.join(ROOT, "web", "index.html"), path.join(ROOT, "common")];
  if (!fs.existsSync(path.join(ROOT, "web", "index.html"))) return;
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  const newest = Math.max(
    ...sources
      .filter((s) => fs.existsSync(s))
      .map((s) => (fs.statSync(s).isDirectory() ? newestSource(s) : fs.statSync(s).mtimeMs)),
  );
  if (built >= newest) return;
  log("building the web page (once, until its sources change)...");
  const { build } = await import("vite");
  await build({ configFile: path.join(ROOT, "vite.config.ts"), logLevel: "warn" });
}
