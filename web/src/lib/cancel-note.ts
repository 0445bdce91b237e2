import type { Build } from "../../../common/dto.ts";
import type { Messages } from "./i18n/en.ts";

const SUPERSEDED = /^superseded by #(\d+)$/;
const KNOWN_REASONS = ["queue_full", "queue_timeout", "agent_unresponsive", "agent_lost"] as const;

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

/** Reasons the engine writes itself (concurrency policy, sweeper, agent loss) get a translation. */
function systemReason(reason: string, t: Messages): string | null {
  const superseded = SUPERSEDED.exec(reason);
  if (superseded) return t.reasons.supersededBy(superseded[1]!);
  const known = KNOWN_REASONS.find((code) => code === reason);
  return known ? t.reasons[known] : null;
}
