/**
 * Checking a build's commit out into the job's workspace with the real git, before the first step,
 * run like a step: inside the job's containment, as the step user, so a stop during a slow fetch
 * ends git with everything else.
 *
 * Credentials reach git through a pipe on file descriptor 3 that a one-line credential helper
 * reads (`cat <&3`): never in an argument (`/proc/*\/cmdline`), the environment of git or the
 * steps (`/proc/*\/environ`), a file in the workspace, or the log. A pipe rather than a private
 * file because the step user may run other jobs at the same time, which could read such a file;
 * a pipe is readable only by the processes that hold it (and in a PID namespace no other job sees
 * them), and once read it is empty.
 */
import { execFile } from "node:child_process";
import type { Checkout } from "../common/agent-channel.ts";

/**
 * The checkout, as bash runs it in the workspace: an empty repository, a shallow fetch of exactly
 * the commit, a detached checkout. The system's and the user's git config are not read (a
 * credential `store` helper there must not keep the token); the only global setting, in a
 * temporary file, is `safe.directory=*`, so git reads a local source repository (a path or
 * `file://` URL) owned by another user — git honours it only from global config.
 */
export const CHECKOUT_SCRIPT = `set -eu
GIT_CONFIG_GLOBAL=$(mktemp)
export GIT_CONFIG_GLOBAL
trap 'rm -f "$GIT_CONFIG_GLOBAL"' EXIT
printf '[safe]\n\tdirectory = *\n' > "$GIT_CONFIG_GLOBAL"
git init -q .
auth=()
if [ "\${SLUICE_CHECKOUT_CREDENTIALS:-0}" = 1 ]; then
  auth=(-c credential.helper= -c 'credential.helper=!f() { test "$1" = get && cat <&3; }; f')
fi
git "\${auth[@]}" fetch -q --no-tags --depth 1 -- "$SLUICE_CHECKOUT_URL" "$SLUICE_CHECKOUT_COMMIT"
exec 3<&-
git -c advice.detachedHead=false checkout -q --detach FETCH_HEAD
echo "checked out $(git rev-parse HEAD)"`;

/** The checkout's environment: what git needs to find the commit, and no secret. */
export function checkoutEnv(checkout: Checkout): Record<string, string> {
  return {
    SLUICE_CHECKOUT_URL: checkout.url,
    SLUICE_CHECKOUT_COMMIT: checkout.commit,
    SLUICE_CHECKOUT_CREDENTIALS: checkout.credentials ? "1" : "0",
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
  };
}

/** What the credential helper prints (git's credential protocol), or nothing without credentials. */
export function credentialInput(checkout: Checkout): string | undefined {
  const c = checkout.credentials;
  return c ? `username=${c.username}\npassword=${c.password}\n\n` : undefined;
}

/** Whether `git` runs here (with the steps' PATH); the agent takes no checkout jobs without it. */
export function hasGit(env: Record<string, string>): Promise<boolean> {
  return new Promise((resolve) => {
    execFile("git", ["--version"], { env, timeout: 10_000 }, (err) => resolve(!err));
  });
}
