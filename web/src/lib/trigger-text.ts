import type { Build } from "@common/dto.ts";
import type { Messages } from "./i18n/en.ts";

/** Who or what started a build, in words: "push by alice", "PR #12", "by dev" (an API or console trigger). */
export function triggerText(build: Pick<Build, "trigger" | "triggeredBy">, t: Messages): string {
  const trigger = build.trigger;
  if (trigger?.kind === "pull_request" && trigger.pullRequest !== null)
    return t.trigger.pullRequest(trigger.pullRequest);
  if (trigger) return t.trigger.push(build.triggeredBy || t.common.none);
  return build.triggeredBy ? t.trigger.api(build.triggeredBy) : t.common.none;
}

/** A commit message's first line (lists show only that). */
export function firstLine(message: string): string {
  return message.split(/\r?\n/, 1)[0]!.trim();
}
