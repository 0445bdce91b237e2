import type { Build } from "@common/dto.ts";
import { BUILD_STATUSES, type BuildStatus } from "@common/statuses.ts";
import type { Messages } from "./i18n/en.ts";
import type { RepositoryEvent } from "./repository-events.ts";

const SUPERSEDED = /^superseded by #(\d+)$/;
/** The repository's own reasons (`engine/use-cases/repositories/process-delivery.ts`), read back into words. */
const BY_PUSH = /^superseded by a push to (.+) \(([0-9a-f]{1,40})\)$/;
const BY_PULL_REQUEST = /^superseded by an update of pull request #(\d+)$/;
const PULL_REQUEST_ENDED = /^pull request #(\d+) was (merged|closed)$/;
const BRANCH_DELETED = /^branch (.+) was deleted$/;
const KNOWN_REASONS = [
  "queue_full",
  "queue_timeout",
  "agent_unresponsive",
  "agent_lost",
  "agent_dropped",
  "agent_fenced",
] as const;

/** Why a build stopped, in words: "superseded by #42", "by alice: bad push", "the agent was lost". */
export function cancelNote(build: Pick<Build, "cancel" | "statusReason">, t: Messages): string | null {
  if (build.cancel) {
    const { by, reason } = build.cancel;
    const system = reason === null ? null : systemReason(reason, t);
    const who = system ?? (reason ? t.reasons.byUserWithReason(by, reason) : t.reasons.byUser(by));
    // How the stop ended, when not by the agent's acknowledgement: by force, or the agent never confirmed.
    const ended = build.statusReason && build.statusReason !== reason ? stopReason(build.statusReason, t) : null;
    return ended ? t.reasons.and(who, ended) : who;
  }
  if (build.statusReason) return systemReason(build.statusReason, t) ?? build.statusReason;
  return null;
}

/**
 * An operation item's note in words: the status a build had already reached, that it was already
 * being canceled, that it was stopped by force, or why stopping it failed (an agent's own message
 * is shown as it came).
 */
export function itemNote(note: string | null, t: Messages): string | null {
  if (note === null) return null;
  if ((BUILD_STATUSES as readonly string[]).includes(note)) return t.status[note as BuildStatus];
  if (note === "already_canceling") return t.history.cannotSelectCanceling;
  if (note === "forced") return t.reasons.forced;
  return systemReason(note, t) ?? note;
}

function stopReason(note: string, t: Messages): string | null {
  if (note === "forced") return t.reasons.forced;
  return systemReason(note, t);
}

/**
 * An operation's or audit entry's reason in words: one the engine wrote itself is translated,
 * one a person typed is shown as typed.
 */
export function reasonText(reason: string | null, t: Messages): string | null {
  if (!reason) return null;
  return systemReason(reason, t) ?? reason;
}

/**
 * Which repository event made an operation of source `repository`, read from its reason (the
 * operation carries no more): a push, a pull request updated, closed or merged, a deleted branch;
 * "superseded by #N" alone is a push or a pull request update, told apart by nothing it carries.
 */
export function repositoryEvent(reason: string | null): RepositoryEvent | null {
  if (reason === null) return null;
  if (BY_PUSH.test(reason)) return "push";
  if (BY_PULL_REQUEST.test(reason)) return "pull_request_updated";
  if (BRANCH_DELETED.test(reason)) return "branch_deleted";
  const ended = PULL_REQUEST_ENDED.exec(reason);
  if (ended) return ended[2] === "merged" ? "pull_request_merged" : "pull_request_closed";
  if (SUPERSEDED.test(reason)) return "new_commits";
  return null;
}

/** Reasons the engine writes itself (concurrency policy, sweeper, agent loss, repository) get a translation. */
function systemReason(reason: string, t: Messages): string | null {
  const superseded = SUPERSEDED.exec(reason);
  if (superseded) return t.reasons.supersededBy(superseded[1]!);
  const push = BY_PUSH.exec(reason);
  if (push) return t.reasons.supersededByPush(push[1]!, push[2]!);
  const pullRequest = BY_PULL_REQUEST.exec(reason);
  if (pullRequest) return t.reasons.supersededByPullRequest(pullRequest[1]!);
  const ended = PULL_REQUEST_ENDED.exec(reason);
  if (ended) return t.reasons.pullRequestEnded(ended[1]!, ended[2] === "merged");
  const deleted = BRANCH_DELETED.exec(reason);
  if (deleted) return t.reasons.branchDeleted(deleted[1]!);
  const known = KNOWN_REASONS.find((code) => code === reason);
  return known ? t.reasons[known] : null;
}
