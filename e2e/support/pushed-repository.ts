/**
 * A local bare repository with the demo's `post-receive` hook, registered with the engine as a
 * project's repository, and a clone of it to commit and push from with real git. Temp dirs only.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writePushHook } from "../../cli/demo-repository.ts";
import type { EngineApi } from "./engine-api.ts";

/** Git's own settings only: no user's or system's config reaches the test. */
const GIT_ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: os.tmpdir(), GIT_CONFIG_NOSYSTEM: "1" };

export class PushedRepository {
  readonly root: string;
  readonly bare: string;
  readonly work: string;

  private constructor(readonly name: string) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-e2e-git-"));
    // The agent's step user fetches from it.
    fs.chmodSync(this.root, 0o755);
    this.bare = path.join(this.root, `${name}.git`);
    this.work = path.join(this.root, "clone");
  }

  /** Creates the bare repository with a first commit (before the hook: no build), registers it, installs the hook, clones it. */
  static async create(api: EngineApi, project: string, name: string): Promise<PushedRepository> {
    const repo = new PushedRepository(name);
    const seed = path.join(repo.root, "seed");
    git(repo.root, {}, "init", "-q", "--bare", "-b", "main", repo.bare);
    git(repo.root, {}, "init", "-q", "-b", "main", seed);
    fs.writeFileSync(path.join(seed, "README.md"), "# pushed\n");
    git(seed, {}, "add", "README.md");
    git(seed, {}, "-c", "user.name=Seed", "-c", "user.email=seed@localhost", "commit", "-q", "-m", "Start");
    git(seed, {}, "push", "-q", repo.bare, "main");
    const put = await api.request("PUT", `/v1/projects/${project}/repositories/${name}`, {
      url: repo.bare,
      provider: "generic",
      statuses: false,
    });
    if (put.status !== 201) throw new Error(`repository ${name}: ${put.status} ${JSON.stringify(put.body)}`);
    writePushHook(repo.bare, { url: put.body.hookUrl, secret: put.body.hookSecret, repository: name });
    git(repo.root, {}, "clone", "-q", repo.bare, repo.work);
    return repo;
  }

  /** Commits a change as `author` and pushes it as `pusher` (the hook names the pusher from `USER`); returns the sha. */
  commitAndPush(message: string, opts: { author: string; pusher: string }): string {
    fs.appendFileSync(path.join(this.work, "README.md"), `${message}\n`);
    git(this.work, {}, "add", "README.md");
    git(
      this.work,
      {},
      "-c",
      `user.name=${opts.author}`,
      "-c",
      "user.email=author@localhost",
      "commit",
      "-q",
      "-m",
      message,
    );
    git(this.work, { USER: opts.pusher, LOGNAME: opts.pusher }, "push", "-q", "origin", "main");
    return git(this.work, {}, "rev-parse", "HEAD");
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

function git(cwd: string, env: Record<string, string>, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: { ...GIT_ENV, ...env }, encoding: "utf8" }).trim();
}
