/**
 * Inbound hooks in each provider's own format and headers, turned into the few events Sluice acts
 * on. `readHook` checks the signature over the raw bytes first — nothing is parsed before that —
 * then reads the event. Pure: no I/O.
 *
 * - GitHub: `X-GitHub-Event` (push, delete, pull_request, ping), `X-GitHub-Delivery`,
 *   `X-Hub-Signature-256: sha256=<hex>`; JSON, or a form with a `payload` field.
 * - GitLab: `X-Gitlab-Event` (Push Hook, Merge Request Hook, Tag Push Hook), `X-Gitlab-Token`
 *   (the secret itself), `X-Gitlab-Event-UUID`.
 * - Gitea/Forgejo: `X-Gitea-Event` (or `X-Forgejo-Event`), `X-Gitea-Delivery`,
 *   `X-Gitea-Signature: <hex>`.
 * - generic: `X-Sluice-Event` (push, pull_request), `X-Sluice-Delivery` (optional),
 *   `X-Sluice-Signature-256: sha256=<hex>`; the body is `GenericPush` or `GenericPullRequest`.
 */
import crypto from "node:crypto";
import type { z } from "zod";
import { GenericPullRequest, GenericPush, type RepositoryProvider } from "../../../common/contract/repositories.ts";
import { InputError, UnauthenticatedError } from "../../../common/errors.ts";
import { sameSecret, signatureMatches } from "./signature.ts";

const ZERO_SHA = /^0+$/;

/** What a hook says, as far as Sluice acts on it. */
export type HookEvent =
  | {
      kind: "push";
      branch: string;
      commit: string;
      sender: string;
      message: string;
      author: string;
    }
  | { kind: "branch_deleted"; branch: string; sender: string }
  | {
      kind: "pull_request";
      action: "opened" | "updated" | "closed";
      merged: boolean;
      number: number;
      headBranch: string;
      commit: string;
      baseBranch: string;
      sender: string;
      message: string;
      author: string;
    }
  | { kind: "ping"; sender: string }
  /** Anything else: stored and shown, with why nothing was done. */
  | { kind: "other"; event: string; why: string; sender: string };

/** How the payload names its repository (compared with the one the hook URL names). */
export type RepositoryClaim = { fullName?: string | undefined; urls: string[]; name?: string | undefined };

export type HookReading = { deliveryId: string; event: HookEvent; claim: RepositoryClaim };

type Headers = Readonly<Record<string, string | undefined>>;

export function readHook(opts: {
  provider: RepositoryProvider;
  /** Lower-case header names. */
  headers: Headers;
  body: Buffer;
  contentType: string | undefined;
  secret: string;
}): HookReading {
  const { provider, headers, body, secret } = opts;
  const h = (name: string) => headers[name.toLowerCase()];
  switch (provider) {
    case "github": {
      if (!signatureMatches(secret, body, h("X-Hub-Signature-256"), "prefixed"))
        throw badSignature("X-Hub-Signature-256");
      const event = required(h("X-GitHub-Event"), "X-GitHub-Event");
      const payload = json(body, opts.contentType);
      return { deliveryId: deliveryId(h("X-GitHub-Delivery"), body), ...github(event, payload) };
    }
    case "gitlab": {
      if (!sameSecret(secret, h("X-Gitlab-Token"))) throw badSignature("X-Gitlab-Token");
      const event = required(h("X-Gitlab-Event"), "X-Gitlab-Event");
      const payload = json(body, opts.contentType);
      return {
        deliveryId: deliveryId(h("X-Gitlab-Event-UUID") ?? h("X-Gitlab-Webhook-UUID"), body),
        ...gitlab(event, payload),
      };
    }
    case "gitea": {
      const signature = h("X-Gitea-Signature") ?? h("X-Forgejo-Signature");
      if (!signatureMatches(secret, body, signature, "bare")) throw badSignature("X-Gitea-Signature");
      const event = required(h("X-Gitea-Event") ?? h("X-Forgejo-Event"), "X-Gitea-Event");
      const payload = json(body, opts.contentType);
      return {
        deliveryId: deliveryId(h("X-Gitea-Delivery") ?? h("X-Forgejo-Delivery"), body),
        ...gitea(event, payload),
      };
    }
    case "generic": {
      if (!signatureMatches(secret, body, h("X-Sluice-Signature-256"), "prefixed")) {
        throw badSignature("X-Sluice-Signature-256");
      }
      const event = required(h("X-Sluice-Event"), "X-Sluice-Event");
      const payload = json(body, opts.contentType);
      return { deliveryId: deliveryId(h("X-Sluice-Delivery"), body), ...generic(event, payload) };
    }
    default: {
      const never: never = provider;
      throw new Error(`unknown provider ${String(never)}`);
    }
  }
}

function badSignature(header: string): UnauthenticatedError {
  return new UnauthenticatedError(
    `The ${header} header is missing or does not match the repository's hook secret`,
    "hook_signature_invalid",
  );
}

function required(value: string | undefined, header: string): string {
  if (!value) throw new InputError(`The ${header} header is missing`, { header }, "hook_event_missing");
  return value.trim();
}

/** The provider's delivery id, or (the generic format may leave it out) the body's hash. */
function deliveryId(given: string | undefined, body: Buffer): string {
  const id = given?.trim();
  if (id && id.length <= 200) return id;
  return `sha256:${crypto.createHash("sha256").update(body).digest("hex")}`;
}

function json(body: Buffer, contentType: string | undefined): Obj {
  try {
    const text = body.toString("utf8");
    // GitHub may send `application/x-www-form-urlencoded` with the JSON in `payload`.
    const raw = contentType?.includes("application/x-www-form-urlencoded")
      ? (new URLSearchParams(text).get("payload") ?? "")
      : text;
    const value: unknown = JSON.parse(raw);
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Obj;
  } catch {
    // Reported below.
  }
  throw new InputError("The hook's body is not a JSON object", undefined, "hook_malformed");
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number => (typeof v === "number" && Number.isInteger(v) ? v : 0);
const branchOf = (ref: string): string | undefined =>
  ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined;

function malformed(what: string): InputError {
  return new InputError(`The hook's payload has no ${what}`, { field: what }, "hook_malformed");
}

/** A `delete` event (GitHub's, and Gitea's in the same shape): a deleted branch; a tag is ignored. */
function deletedOf(event: string, p: Obj, sender: string): HookEvent {
  if (str(p.ref_type) !== "branch")
    return { kind: "other", event, why: `a ${str(p.ref_type) || "ref"} was deleted`, sender };
  return { kind: "branch_deleted", branch: str(p.ref), sender };
}

/** A push (or a branch deleted by one), from `ref`, `before`/`after` and the head commit. */
function pushOf(opts: {
  ref: string;
  after: string;
  sender: string;
  message: string;
  author: string;
  event: string;
}): HookEvent {
  const branch = branchOf(opts.ref);
  if (branch === undefined) {
    return { kind: "other", event: opts.event, why: `not a branch: ${opts.ref || "no ref"}`, sender: opts.sender };
  }
  if (ZERO_SHA.test(opts.after)) return { kind: "branch_deleted", branch, sender: opts.sender };
  if (!/^[0-9a-f]{7,64}$/i.test(opts.after)) throw malformed("after commit");
  return { kind: "push", branch, commit: opts.after, sender: opts.sender, message: opts.message, author: opts.author };
}

function github(event: string, p: Obj): { event: HookEvent; claim: RepositoryClaim } {
  const repo = obj(p.repository);
  const claim = {
    fullName: str(repo.full_name) || undefined,
    urls: [repo.clone_url, repo.ssh_url, repo.html_url, repo.git_url, repo.url].map(str).filter(Boolean),
  };
  const sender = str(obj(p.sender).login) || str(obj(p.pusher).name);
  switch (event) {
    case "push": {
      const head = obj(p.head_commit);
      const author = obj(head.author);
      return {
        claim,
        event: pushOf({
          event,
          ref: str(p.ref),
          after: p.deleted === true ? "0" : str(p.after),
          sender: str(obj(p.pusher).name) || sender,
          message: str(head.message),
          author: str(author.username) || str(author.name),
        }),
      };
    }
    case "delete":
      return { claim, event: deletedOf(event, p, sender) };
    case "pull_request":
      return { claim, event: pullRequestOf(event, p, sender, { synchronize: "synchronize" }) };
    case "ping":
      return { claim, event: { kind: "ping", sender } };
    default:
      return { claim, event: { kind: "other", event, why: `Sluice does not act on "${event}" events`, sender } };
  }
}

/** GitHub's and Gitea's pull_request payloads are alike (Gitea says `synchronized`). */
function pullRequestOf(event: string, p: Obj, sender: string, names: { synchronize: string }): HookEvent {
  const pr = obj(p.pull_request);
  const head = obj(pr.head);
  const number = num(p.number) || num(pr.number);
  if (!number) throw malformed("pull request number");
  const action = str(p.action);
  const opened = action === "opened" || action === "reopened";
  const updated = action === names.synchronize;
  if (!opened && !updated && action !== "closed") {
    return {
      kind: "other",
      event: `${event}.${action}`,
      why: `Sluice does not act on a pull request ${action}`,
      sender,
    };
  }
  const sha = str(head.sha);
  if (action !== "closed" && !/^[0-9a-f]{7,64}$/i.test(sha)) throw malformed("head commit");
  return {
    kind: "pull_request",
    action: opened ? "opened" : updated ? "updated" : "closed",
    merged: pr.merged === true,
    number,
    headBranch: str(head.ref),
    commit: sha,
    baseBranch: str(obj(pr.base).ref),
    sender,
    message: str(pr.title),
    author: str(obj(pr.user).login),
  };
}

function gitlab(event: string, p: Obj): { event: HookEvent; claim: RepositoryClaim } {
  const project = obj(p.project);
  const claim = {
    fullName: str(project.path_with_namespace) || undefined,
    urls: [project.git_http_url, project.git_ssh_url, project.web_url, project.http_url, project.ssh_url]
      .map(str)
      .filter(Boolean),
  };
  switch (event) {
    case "Push Hook": {
      const after = str(p.after);
      const commits = Array.isArray(p.commits) ? (p.commits as unknown[]).map(obj) : [];
      const head = commits.find((c) => str(c.id) === after) ?? commits[commits.length - 1] ?? {};
      return {
        claim,
        event: pushOf({
          event,
          ref: str(p.ref),
          after,
          sender: str(p.user_username) || str(p.user_name),
          message: str(head.message),
          author: str(obj(head.author).name),
        }),
      };
    }
    case "Merge Request Hook": {
      const a = obj(p.object_attributes);
      const sender = str(obj(p.user).username);
      const action = str(a.action);
      const number = num(a.iid);
      if (!number) throw malformed("merge request iid");
      const last = obj(a.last_commit);
      const base = {
        number,
        headBranch: str(a.source_branch),
        commit: str(last.id),
        baseBranch: str(a.target_branch),
        sender,
        message: str(a.title),
        author: str(obj(last.author).name),
      };
      if (action === "open" || action === "reopen" || (action === "update" && a.oldrev !== undefined)) {
        if (!/^[0-9a-f]{7,64}$/i.test(base.commit)) throw malformed("last commit");
        return {
          claim,
          event: { kind: "pull_request", action: action === "update" ? "updated" : "opened", merged: false, ...base },
        };
      }
      if (action === "close" || action === "merge") {
        return { claim, event: { kind: "pull_request", action: "closed", merged: action === "merge", ...base } };
      }
      const why =
        action === "update" ? "a merge request changed without new commits" : `a merge request ${action || "event"}`;
      return {
        claim,
        event: { kind: "other", event: `${event}.${action}`, why: `Sluice does not act on ${why}`, sender },
      };
    }
    default:
      return {
        claim,
        event: { kind: "other", event, why: `Sluice does not act on "${event}"`, sender: str(p.user_username) },
      };
  }
}

function gitea(event: string, p: Obj): { event: HookEvent; claim: RepositoryClaim } {
  const repo = obj(p.repository);
  const claim = {
    fullName: str(repo.full_name) || undefined,
    urls: [repo.clone_url, repo.ssh_url, repo.html_url].map(str).filter(Boolean),
  };
  const sender = str(obj(p.sender).login) || str(obj(p.sender).username);
  switch (event) {
    case "push": {
      const after = str(p.after);
      const commits = Array.isArray(p.commits) ? (p.commits as unknown[]).map(obj) : [];
      const head = obj(p.head_commit).id ? obj(p.head_commit) : (commits.find((c) => str(c.id) === after) ?? {});
      const author = obj(head.author);
      const pusher = obj(p.pusher);
      return {
        claim,
        event: pushOf({
          event,
          ref: str(p.ref),
          after,
          sender: str(pusher.login) || str(pusher.username) || sender,
          message: str(head.message),
          author: str(author.username) || str(author.name),
        }),
      };
    }
    case "delete":
      return { claim, event: deletedOf(event, p, sender) };
    case "pull_request":
      return { claim, event: pullRequestOf(event, p, sender, { synchronize: "synchronized" }) };
    default:
      return { claim, event: { kind: "other", event, why: `Sluice does not act on "${event}" events`, sender } };
  }
}

function generic(event: string, p: Obj): { event: HookEvent; claim: RepositoryClaim } {
  const parse = <S extends z.ZodType>(schema: S): z.output<S> => {
    const parsed = schema.safeParse(p);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(
        `The hook's payload is not a generic ${event}: ${issue?.path.join(".") || "body"}: ${issue?.message}`,
        undefined,
        "hook_malformed",
      );
    }
    return parsed.data;
  };
  switch (event) {
    case "push": {
      const push = parse(GenericPush);
      const claim = claimOfName(push.repository);
      const sender = push.pusher ?? "";
      return {
        claim,
        event: pushOf({
          event,
          ref: push.ref.startsWith("refs/") ? push.ref : `refs/heads/${push.ref}`,
          after: push.after,
          sender,
          message: push.message ?? "",
          author: push.author ?? sender,
        }),
      };
    }
    case "pull_request": {
      const pr = parse(GenericPullRequest);
      return {
        claim: claimOfName(pr.repository),
        event: {
          kind: "pull_request",
          action: pr.action === "merged" ? "closed" : pr.action,
          merged: pr.action === "merged",
          number: pr.number,
          headBranch: pr.head.ref,
          commit: pr.head.sha,
          baseBranch: pr.base.ref,
          sender: pr.author ?? "",
          message: pr.title ?? "",
          author: pr.author ?? "",
        },
      };
    }
    case "ping":
      return { claim: { urls: [] }, event: { kind: "ping", sender: "" } };
    default:
      return {
        claim: { urls: [] },
        event: { kind: "other", event, why: `Sluice does not act on "${event}"`, sender: "" },
      };
  }
}

/** The generic format's `repository`: Sluice's name for it, or a clone URL. */
function claimOfName(repository: string | undefined): RepositoryClaim {
  if (repository === undefined) return { urls: [] };
  return /[:/]/.test(repository) ? { urls: [repository] } : { name: repository, urls: [] };
}

/**
 * Whether the payload is about this repository: when it names one at all, its full name, one of
 * its URLs or (generic) its name must be this one's.
 */
export function claimMatches(
  claim: RepositoryClaim,
  repo: { name: string; url: string; fullName: string | null },
): boolean {
  if (claim.fullName === undefined && claim.urls.length === 0 && claim.name === undefined) return true;
  if (claim.name !== undefined && claim.name === repo.name) return true;
  const fullName = repo.fullName ?? fullNameOf(repo.url);
  if (claim.fullName && fullName && claim.fullName.toLowerCase() === fullName.toLowerCase()) return true;
  const mine = normalizeUrl(repo.url);
  return claim.urls.some((u) => normalizeUrl(u) === mine);
}

/** `owner/name` from a clone URL (`https://host/owner/name.git`, `git@host:owner/name.git`); undefined for paths. */
export function fullNameOf(url: string): string | undefined {
  const scp = /^[^@\s]+@[^:\s]+:(.+)$/.exec(url);
  let path: string;
  if (scp) path = scp[1] as string;
  else if (/^(https?|ssh|git):\/\//.test(url)) path = new URL(url).pathname;
  else return undefined;
  const name = path.replace(/^\/+|\/+$/g, "").replace(/\.git$/, "");
  return name.includes("/") ? name : undefined;
}

/** A URL compared by host and path, without scheme, user, `.git` or case. */
function normalizeUrl(url: string): string {
  const scp = /^[^@\s]+@([^:\s]+):(.+)$/.exec(url);
  if (scp)
    return `${scp[1]}/${(scp[2] as string).replace(/^\/+/, "")}`
      .replace(/\.git$/, "")
      .replace(/\/+$/, "")
      .toLowerCase();
  try {
    const u = new URL(url);
    if (u.protocol === "file:") return u.pathname.replace(/\/+$/, "");
    return `${u.hostname}${u.pathname}`
      .replace(/\.git$/, "")
      .replace(/\/+$/, "")
      .toLowerCase();
  } catch {
    return url.replace(/\/+$/, "");
  }
}
