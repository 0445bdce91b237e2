/**
 * Real git for the repository tests: a bare repository the agent fetches from, a working clone that
 * commits and pushes, and the providers' hook payloads and signatures for what was pushed.
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Alice Example",
  GIT_AUTHOR_EMAIL: "alice@example.test",
  GIT_COMMITTER_NAME: "Alice Example",
  GIT_COMMITTER_EMAIL: "alice@example.test",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

export const ZERO = "0000000000000000000000000000000000000000";

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A bare repository (readable by the step user) and a clone of it to commit in. */
export class GitFixture {
  readonly bare: string;
  readonly work: string;

  constructor(root: string, name = "app") {
    fs.mkdirSync(root, { recursive: true, mode: 0o755 });
    fs.chmodSync(root, 0o755);
    this.bare = path.join(root, `${name}.git`);
    this.work = path.join(root, `${name}-work`);
    execFileSync("git", ["init", "-q", "--bare", "-b", "main", this.bare], { env: GIT_ENV });
    execFileSync("git", ["init", "-q", "-b", "main", this.work], { env: GIT_ENV });
    git(this.work, "remote", "add", "origin", this.bare);
  }

  /** Commits `files` on `branch` (created from the current head when new) and pushes; returns the sha. */
  commitAndPush(branch: string, files: Record<string, string>, message: string): string {
    const current = git(this.work, "symbolic-ref", "--short", "HEAD");
    if (current !== branch) {
      if (git(this.work, "branch", "--list", branch)) git(this.work, "checkout", "-q", branch);
      else git(this.work, "checkout", "-q", "-b", branch);
    }
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(this.work, file)), { recursive: true });
      fs.writeFileSync(path.join(this.work, file), content);
    }
    git(this.work, "add", "-A");
    git(this.work, "commit", "-q", "-m", message);
    git(this.work, "push", "-q", "origin", branch);
    return git(this.work, "rev-parse", "HEAD");
  }
}

/** Gitea's signature (and the body of GitHub's): hex HMAC-SHA256 of the body. */
export function sign(secret: string, body: string): string {
  return crypto.createHmac("sha256", secret).update(body).digest("hex");
}

export type HookRequest = { headers: Record<string, string>; body: string };

export function githubPush(opts: {
  secret: string;
  branch: string;
  before?: string;
  after: string;
  message?: string;
  pusher?: string;
  fullName?: string;
  cloneUrl?: string;
  delivery?: string;
}): HookRequest {
  const body = JSON.stringify({
    ref: `refs/heads/${opts.branch}`,
    before: opts.before ?? ZERO,
    after: opts.after,
    created: opts.before === undefined,
    deleted: opts.after === ZERO,
    pusher: { name: opts.pusher ?? "alice", email: "alice@example.test" },
    sender: { login: opts.pusher ?? "alice" },
    head_commit:
      opts.after === ZERO
        ? null
        : {
            id: opts.after,
            message: opts.message ?? "a commit",
            author: { name: "Alice Example", email: "alice@example.test", username: "alice" },
          },
    repository: {
      full_name: opts.fullName ?? "acme/app",
      clone_url: opts.cloneUrl ?? "https://github.com/acme/app.git",
      html_url: "https://github.com/acme/app",
    },
  });
  return github("push", body, opts.secret, opts.delivery);
}

export function githubDelete(opts: { secret: string; branch: string; delivery?: string }): HookRequest {
  const body = JSON.stringify({
    ref: opts.branch,
    ref_type: "branch",
    pusher_type: "user",
    sender: { login: "alice" },
    repository: { full_name: "acme/app", clone_url: "https://github.com/acme/app.git" },
  });
  return github("delete", body, opts.secret, opts.delivery);
}

export function githubPullRequest(opts: {
  secret: string;
  action: "opened" | "synchronize" | "closed" | "reopened";
  number: number;
  head: string;
  sha: string;
  base: string;
  merged?: boolean;
  delivery?: string;
}): HookRequest {
  const body = JSON.stringify({
    action: opts.action,
    number: opts.number,
    pull_request: {
      number: opts.number,
      title: `Change ${opts.number}`,
      merged: opts.merged ?? false,
      user: { login: "bob" },
      head: { ref: opts.head, sha: opts.sha },
      base: { ref: opts.base },
    },
    sender: { login: "bob" },
    repository: { full_name: "acme/app", clone_url: "https://github.com/acme/app.git" },
  });
  return github("pull_request", body, opts.secret, opts.delivery);
}

function github(event: string, body: string, secret: string, delivery?: string): HookRequest {
  return {
    body,
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "GitHub-Hookshot/abc123",
      "X-GitHub-Event": event,
      "X-GitHub-Delivery": delivery ?? crypto.randomUUID(),
      "X-Hub-Signature-256": `sha256=${sign(secret, body)}`,
    },
  };
}

/** GitLab's Push Hook, as its documentation shows it. */
export function gitlabPush(opts: { secret: string; branch: string; before?: string; after: string; message?: string }) {
  const body = JSON.stringify({
    object_kind: "push",
    event_name: "push",
    before: opts.before ?? ZERO,
    after: opts.after,
    ref: `refs/heads/${opts.branch}`,
    checkout_sha: opts.after === ZERO ? null : opts.after,
    user_name: "John Smith",
    user_username: "jsmith",
    project: {
      path_with_namespace: "acme/app",
      web_url: "https://gitlab.example.test/acme/app",
      git_http_url: "https://gitlab.example.test/acme/app.git",
      git_ssh_url: "git@gitlab.example.test:acme/app.git",
    },
    commits:
      opts.after === ZERO
        ? []
        : [{ id: opts.after, message: opts.message ?? "a commit", author: { name: "John Smith", email: "j@x.test" } }],
    total_commits_count: opts.after === ZERO ? 0 : 1,
  });
  return gitlab("Push Hook", body, opts.secret);
}

/** GitLab's Merge Request Hook. */
export function gitlabMergeRequest(opts: {
  secret: string;
  action: "open" | "update" | "close" | "merge";
  iid: number;
  source: string;
  target: string;
  sha: string;
}) {
  const body = JSON.stringify({
    object_kind: "merge_request",
    event_type: "merge_request",
    user: { username: "jsmith", name: "John Smith" },
    project: { path_with_namespace: "acme/app", git_http_url: "https://gitlab.example.test/acme/app.git" },
    object_attributes: {
      iid: opts.iid,
      action: opts.action,
      title: `MR ${opts.iid}`,
      source_branch: opts.source,
      target_branch: opts.target,
      state: opts.action === "merge" ? "merged" : opts.action === "close" ? "closed" : "opened",
      last_commit: { id: opts.sha, message: "mr commit", author: { name: "John Smith" } },
      ...(opts.action === "update" ? { oldrev: ZERO } : {}),
    },
  });
  return gitlab("Merge Request Hook", body, opts.secret);
}

function gitlab(event: string, body: string, secret: string): HookRequest {
  return {
    body,
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "GitLab/17.0.0",
      "X-Gitlab-Event": event,
      "X-Gitlab-Token": secret,
      "X-Gitlab-Event-UUID": crypto.randomUUID(),
      "X-Gitlab-Instance": "https://gitlab.example.test",
    },
  };
}

/** Gitea's (and Forgejo's) push. */
export function giteaPush(opts: { secret: string; branch: string; before?: string; after: string; message?: string }) {
  const body = JSON.stringify({
    ref: `refs/heads/${opts.branch}`,
    before: opts.before ?? ZERO,
    after: opts.after,
    compare_url: "",
    commits:
      opts.after === ZERO
        ? []
        : [
            {
              id: opts.after,
              message: opts.message ?? "a commit\n",
              author: { name: "Gitea User", email: "g@x.test", username: "gitea-user" },
            },
          ],
    repository: {
      full_name: "acme/app",
      clone_url: "https://gitea.example.test/acme/app.git",
      html_url: "https://gitea.example.test/acme/app",
    },
    pusher: { login: "gitea-user", username: "gitea-user" },
    sender: { login: "gitea-user", username: "gitea-user" },
  });
  return gitea("push", body, opts.secret);
}

export function giteaPullRequest(opts: {
  secret: string;
  action: "opened" | "synchronized" | "closed";
  number: number;
  head: string;
  sha: string;
  base: string;
}) {
  const body = JSON.stringify({
    action: opts.action,
    number: opts.number,
    pull_request: {
      number: opts.number,
      title: `PR ${opts.number}`,
      merged: false,
      user: { login: "gitea-user" },
      head: { ref: opts.head, sha: opts.sha },
      base: { ref: opts.base },
    },
    repository: { full_name: "acme/app", clone_url: "https://gitea.example.test/acme/app.git" },
    sender: { login: "gitea-user" },
  });
  return gitea("pull_request", body, opts.secret);
}

function gitea(event: string, body: string, secret: string): HookRequest {
  return {
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Gitea-Event": event,
      "X-Gitea-Event-Type": event,
      "X-Gitea-Delivery": crypto.randomUUID(),
      "X-Gitea-Signature": sign(secret, body),
      "X-Forgejo-Event": event,
    },
  };
}

/** Sends a hook to the engine as the provider would (no token). */
export async function sendHook(
  engineUrl: string,
  project: string,
  repository: string,
  hook: HookRequest,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${engineUrl}/v1/hooks/${project}/${repository}`, {
    method: "POST",
    headers: hook.headers,
    body: hook.body,
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text,
  };
}
