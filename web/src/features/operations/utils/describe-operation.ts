/** An operation in words: its title ("Cancel of 61 builds by dev"), its scope (which builds, chosen how) and its outcome. */

import type { Operation, OperationSelection } from "@common/dto.ts";
import dayjs from "dayjs";
import { repositoryEvent } from "../../../lib/cancel-note.ts";
import { formatDuration } from "../../../lib/format.ts";
import type { Messages } from "../../../lib/i18n/en.ts";
import { kindView } from "../../../lib/operation-kinds.ts";

const SHOWN_NUMBERS = 5;

export function operationTitle(op: Pick<Operation, "kind" | "total" | "requestedBy">, t: Messages): string {
  return t.operations.title(t.operations.kinds[op.kind], op.total, op.requestedBy);
}

/** How the builds were chosen: a filter in words, numbers, the concurrency policy, or one by one. */
/** Where an operation came from: "Person", "API", … and for the repository its event ("Repository: push"). */
export function operationSource(op: Pick<Operation, "source" | "reason">, t: Messages): string {
  const source = t.operations.sources[op.source];
  if (op.source !== "repository") return source;
  const event = repositoryEvent(op.reason);
  return event ? t.operations.sourceWithEvent(source, t.operations.repositoryEvents[event]) : source;
}

export function operationSelection(op: Pick<Operation, "selection" | "source" | "total">, t: Messages): string {
  const words = t.operations.scopes;
  const selection: OperationSelection = op.selection ?? {};
  if (selection.filter) {
    const f = selection.filter;
    const before =
      f.before === undefined
        ? null
        : typeof f.before === "number"
          ? words.beforeNumber(f.before)
          : dayjs(f.before).format(t.time.exact);
    const text = words.filter({
      statuses: words.statusJoin(f.status.map((s) => t.status[s].toLocaleLowerCase())),
      branch: f.branch ?? null,
      triggeredBy: f.triggeredBy ?? null,
      pipelines: f.pipelines ? words.statusJoin(f.pipelines) : null,
      before,
    });
    const judged = [
      f.keepNewest ? words.keepNewest(selection.kept ?? 0, f.keepNewest.count, f.keepNewest.per) : null,
      selection.leftOutProtected ? words.leftOutProtected(selection.leftOutProtected) : null,
      f.includeProtectedBranches ? words.protectedIncluded : null,
    ].filter((part) => part !== null);
    return `${selection.excluded ? `${text}${words.except(selection.excluded)}` : text}${judged.map((part) => `, ${part}`).join("")}`;
  }
  if (selection.buildNumbers) {
    const shown = selection.buildNumbers.slice(0, SHOWN_NUMBERS).map((n) => `#${n}`);
    const rest = selection.buildNumbers.length - shown.length;
    return words.numbers(rest > 0 ? `${shown.join(", ")} ${t.dialog.andMore(rest)}` : words.statusJoin(shown));
  }
  if (selection.buildIds) return words.chosen(selection.buildIds);
  if (selection.fromOperation) return words.fromOperation;
  if (op.source === "concurrency") return words.policy;
  return words.chosen(op.total);
}

/** Where and which: "Pipeline web-app · all running builds on main". */
export function operationScope(
  op: Pick<Operation, "selection" | "source" | "total" | "pipeline" | "project">,
  t: Messages,
): string {
  const where = op.pipeline ? t.operations.scopes.pipeline(op.pipeline) : t.operations.scopes.project(op.project);
  return `${where} · ${operationSelection(op, t)}`;
}

/** The outcome counts in a line: "3 canceled · 0 had already finished · 0 failed", "3 new builds · 0 skipped · 0 failed". */
export function outcomeSummary(op: Pick<Operation, "kind" | "counts">, t: Messages): string {
  return kindView(op.kind).texts(t).summary(op.counts);
}

/** What the person saw of the impact when they confirmed: "12 running on 3 agents (4h 10m done), 30 queued (about 2h 30m avoided)". */
export function operationImpact(op: Pick<Operation, "selection">, t: Messages): string | null {
  const impact = op.selection?.impact;
  if (!impact) return null;
  const seconds = (n: number) => formatDuration(n * 1000, t);
  return t.operations.impactSeen({
    running: impact.running,
    agents: impact.agents,
    done: seconds(impact.workDoneSeconds),
    queued: impact.queued,
    avoided: impact.workAvoidedSeconds > 0 ? seconds(impact.workAvoidedSeconds) : null,
  });
}
