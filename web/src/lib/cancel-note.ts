import type { Build } from "@common/dto.ts";
import { BUILD_STATUSES, type BuildStatus } from "@common/statuses.ts";
import type { Messages } from "./i18n/en.ts";

const SUPERSEDED = /^superseded by #(\d+)$/;
const KNOWN_REASONS = ["queue_full", "queue_timeout", "agent_unresponsive", "agent_lost", "agent_dropped"] as const;

/** Why a build stopped, in words: "superseded by #42", "by alice: bad push", "the agent was lost". */
export function cancelNote(build: Pick<Build, "cancel" | "statusReason">, t: Messages): string | null {
  if (build.cancel) {
    const { by, reason } = build.cancel;
    const system = reason === null ? null : systemReason(reason, t);
    if (system !== null) return system;
    return reason ? t.reasons.byUserWithReason(by, reason) : t.reasons.byUser(by);
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

/** Reasons the engine writes itself (concurrency policy, sweeper, agent loss) get a translation. */
function systemReason(reason: string, t: Messages): string | null {
  const superseded = SUPERSEDED.exec(reason);
  if (superseded) return t.reasons.supersededBy(superseded[1]!);
  const known = KNOWN_REASONS.find((code) => code === reason);
  return known ? t.reasons[known] : null;
}
