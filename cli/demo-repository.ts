/**
 * The demo's repository to push to: a bare git repository next to the data dir (`<data>-git/
 * demo.git`; not inside it, because steps — and so the checkout — cannot see the data dir), with a
 * `post-receive` hook that tells the engine about each push in the generic format, and a `push`
 * pipeline in the demo project that follows it. Push twice and the first build is canceled as
 * superseded by the second.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { EngineContext } from "../engine/context.ts";
import { putPipeline } from "../engine/use-cases/catalog/catalog.ts";
import type { Actor } from "../engine/use-cases/identity/identity.ts";
import { putRepository, rotateHookSecret } from "../engine/use-cases/repositories/repositories.ts";

export const DEMO_PUSH_PIPELINE = {
  repository: "demo",
  on: { push: { branches: ["**"] } },
  cancelGraceSeconds: 3,
  stages: [
    {
      name: "build",
      jobs: [
        {
          name: "build",
          steps: [
            { name: "show", run: "git log -1 --format='%h %s (%an)'; cat README.md" },
            { name: "build", run: 'for i in $(seq 1 90); do echo "building $i/90"; sleep 1; done' },
          ],
        },
      ],
    },
  ],
};

/**
 * The hook (Node, which is there wherever Sluice runs): for each pushed branch, a generic push
 * signed with the secret kept beside it (`sluice-hook.json`, 0600), sent to the engine.
 */
const HOOK = (node: string, repository: string) => `#!${node}
// Sluice's demo post-receive hook: tells the engine about each push (generic format, signed).
const crypto = require("node:crypto");
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const config = JSON.parse(fs.readFileSync(path.join(__dirname, "sluice-hook.json"), "utf8"));
const git = (...args) => execFileSync("git", args, { encoding: "utf8" }).trim();
(async () => {
  const lines = fs.readFileSync(0, "utf8").split("\\n").filter(Boolean);
  for (const line of lines) {
    const [before, after, ref] = line.split(" ");
    if (!ref.startsWith("refs/heads/")) continue;
    const deleted = /^0+$/.test(after);
    const body = JSON.stringify({
      ref, before, after, pusher: process.env.USER || process.env.LOGNAME || "demo",
      message: deleted ? "" : git("log", "-1", "--format=%B", after),
      author: deleted ? "" : git("log", "-1", "--format=%an", after),
      repository: ${JSON.stringify(repository)},
    });
    const signature = "sha256=" + crypto.createHmac("sha256", config.secret).update(body).digest("hex");
    try {
      const res = await fetch(config.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Sluice-Event": "push", "X-Sluice-Delivery": crypto.randomUUID(), "X-Sluice-Signature-256": signature },
        body,
      });
      console.log("sluice: " + ref.slice(11) + (deleted ? " deleted" : " " + after.slice(0, 7)) + ": " + res.status + (res.ok ? " (see the demo project's push pipeline)" : " " + (await res.text())));
    } catch (err) {
      console.log("sluice: could not reach " + config.url + ": " + err.message);
    }
  }
})();
`;

/** Creates (or refreshes) the demo repository; returns its path. */
export async function ensureDemoRepository(ctx: EngineContext, admin: Actor, engineUrl: string): Promise<string> {
  const root = `${ctx.settings.dataDir.replace(/\/+$/, "")}-git`;
  const bare = path.join(root, "demo.git");
  const hooks = path.join(bare, "hooks");
  const config = path.join(hooks, "sluice-hook.json");
  fs.mkdirSync(root, { recursive: true, mode: 0o755 });
  if (!fs.existsSync(bare)) {
    git(root, "init", "-q", "--bare", "-b", "main", bare);
    seedFirstCommit(bare);
  }
  const names = { project: "demo", repository: "demo" };
  const base = engineUrl.replace(/\/+$/, "");
  const existing = await ctx.store.repositories.findByNames({ project: "demo", name: "demo" });
  const request = { url: bare, provider: "generic" as const, statuses: false };
  let secret: string | undefined;
  if (!existing) {
    const { repository } = await putRepository(ctx, admin, names, request, base);
    secret = "hookSecret" in repository ? repository.hookSecret : undefined;
  } else if (!fs.existsSync(config)) {
    secret = (await rotateHookSecret(ctx, admin, names, base)).hookSecret;
  }
  const url = `${base}/v1/hooks/demo/demo`;
  if (secret === undefined) {
    // The engine's address may have changed since: keep the secret, refresh the URL.
    const kept = JSON.parse(fs.readFileSync(config, "utf8")) as { secret: string };
    secret = kept.secret;
  }
  writePushHook(bare, { url, secret, repository: "demo" });
  await putPipeline(ctx, admin, { project: "demo", pipeline: "push" }, DEMO_PUSH_PIPELINE);
  return bare;
}

/**
 * Installs the `post-receive` hook in a bare repository: each push is sent to `url` (the
 * repository's hook URL) in the generic format, signed with `secret`, naming `repository`.
 */
export function writePushHook(bare: string, opts: { url: string; secret: string; repository: string }): void {
  const hooks = path.join(bare, "hooks");
  fs.writeFileSync(path.join(hooks, "sluice-hook.json"), JSON.stringify({ url: opts.url, secret: opts.secret }), {
    mode: 0o600,
  });
  fs.writeFileSync(path.join(hooks, "post-receive"), HOOK(process.execPath, opts.repository), { mode: 0o755 });
}

/** A README on main, so a clone has something to change (pushed before the hook exists: no build). */
function seedFirstCommit(bare: string): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-demo-"));
  try {
    git(work, "init", "-q", "-b", "main");
    fs.writeFileSync(
      path.join(work, "README.md"),
      "# Sluice demo\n\nChange this file, commit and push: the demo project's `push` pipeline builds it.\nPush twice quickly and the first build is canceled, superseded by the second.\n",
    );
    git(work, "add", "README.md");
    git(work, "-c", "user.name=Sluice", "-c", "user.email=sluice@localhost", "commit", "-q", "-m", "Start the demo");
    git(work, "push", "-q", bare, "main");
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}
