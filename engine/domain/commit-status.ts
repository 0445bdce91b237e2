/**
 * A build's state as each provider's commit status API takes it: the state names, a description,
 * and the request (route, authentication, body) their documentation gives. Pure: no I/O.
 *
 * - GitHub `POST {api}/repos/{owner}/{repo}/statuses/{sha}`, `Authorization: Bearer <token>`,
 *   `{state: pending|success|failure|error, target_url, description, context}`;
 * - GitLab `POST {api}/projects/{url-encoded path}/statuses/{sha}`, `PRIVATE-TOKEN: <token>`,
 *   `{state: pending|running|success|failed|canceled, target_url, description, name}`;
 * - Gitea `POST {api}/repos/{owner}/{repo}/statuses/{sha}`, `Authorization: token <token>`,
 *   `{state: pending|success|error|failure|warning, target_url, description, context}`.
 *
 * A canceled build is reported as canceled (GitLab) or as an `error` saying who canceled it and
 * why (GitHub, Gitea): never left pending.
 */
import type { RepositoryProvider } from "../../common/contract/repositories.ts";
import type { BuildStatus } from "../../common/statuses.ts";

export type StatusProvider = Exclude<RepositoryProvider, "generic">;

/** GitHub's limit on a status description. */
const MAX_DESCRIPTION = 140;

export function commitState(
  provider: StatusProvider,
  status: BuildStatus,
  why: { reason: string | null; by: string | null; statusReason?: string | null },
): { state: string; description: string } {
  const gitlab = provider === "gitlab";
  const cut = (text: string) => (text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text);
  switch (status) {
    case "QUEUED":
      return { state: "pending", description: "Queued" };
    case "RUNNING":
      return { state: gitlab ? "running" : "pending", description: "Running" };
    case "CANCELING":
      return { state: gitlab ? "running" : "pending", description: "Canceling" };
    case "SUCCEEDED":
      return { state: "success", description: "Succeeded" };
    case "FAILED":
      return {
        state: gitlab ? "failed" : "failure",
        description: cut(why.statusReason ? `Failed: ${why.statusReason}` : "Failed"),
      };
    case "TIMED_OUT":
      return { state: gitlab ? "failed" : "failure", description: "Timed out" };
    case "CANCELED": {
      const who = why.by ? `Canceled by ${why.by}` : "Canceled";
      return { state: gitlab ? "canceled" : "error", description: cut(why.reason ? `${who}: ${why.reason}` : who) };
    }
    default: {
      const never: never = status;
      throw new Error(`unknown build status ${String(never)}`);
    }
  }
}

/** Where the API is when the repository does not say: the provider's public one, or the clone URL's host. */
export function defaultApiUrl(provider: StatusProvider, cloneUrl: string): string | undefined {
  const host = /^[^@\s]+@([^:\s]+):/.exec(cloneUrl)?.[1] ?? hostOf(cloneUrl);
  if (provider === "github")
    return !host || host === "github.com" ? "https://api.github.com" : `https://${host}/api/v3`;
  if (!host) return undefined;
  return provider === "gitlab" ? `https://${host}/api/v4` : `https://${host}/api/v1`;
}

function hostOf(url: string): string | undefined {
  try {
    return /^(https?|ssh|git):\/\//.test(url) ? new URL(url).hostname : undefined;
  } catch {
    return undefined;
  }
}

export type StatusRequest = { url: string; headers: Record<string, string>; body: string };

export function statusRequest(opts: {
  provider: StatusProvider;
  apiUrl: string;
  /** `owner/repo`, or GitLab's `group/…/project`. */
  fullName: string;
  sha: string;
  token: string;
  state: string;
  description: string;
  context: string;
  targetUrl: string | null;
}): StatusRequest {
  const target = opts.targetUrl ? { target_url: opts.targetUrl } : {};
  const json = { "Content-Type": "application/json", Accept: "application/json", "User-Agent": "Sluice" };
  switch (opts.provider) {
    case "github":
      return {
        url: `${opts.apiUrl}/repos/${opts.fullName}/statuses/${opts.sha}`,
        headers: {
          ...json,
          Accept: "application/vnd.github+json",
          "X-GitHub-Api-Version": "2022-11-28",
          Authorization: `Bearer ${opts.token}`,
        },
        body: JSON.stringify({ state: opts.state, ...target, description: opts.description, context: opts.context }),
      };
    case "gitlab":
      return {
        url: `${opts.apiUrl}/projects/${encodeURIComponent(opts.fullName)}/statuses/${opts.sha}`,
        headers: { ...json, "PRIVATE-TOKEN": opts.token },
        body: JSON.stringify({ state: opts.state, ...target, description: opts.description, name: opts.context }),
      };
    case "gitea":
      return {
        url: `${opts.apiUrl}/repos/${opts.fullName}/statuses/${opts.sha}`,
        headers: { ...json, Authorization: `token ${opts.token}` },
        body: JSON.stringify({ state: opts.state, ...target, description: opts.description, context: opts.context }),
      };
    default: {
      const never: never = opts.provider;
      throw new Error(`unknown provider ${String(never)}`);
    }
  }
}
