/** An operation in words: its title ("Cancel of 61 builds by dev") and its scope (which builds, chosen how). */
import dayjs from "dayjs";
import type { Operation } from "../../../../../common/dto.ts";
import type { Messages } from "../../../lib/i18n/en.ts";

export function operationTitle(op: Pick<Operation, "kind" | "total" | "requestedBy">, t: Messages): string {
  return t.operations.title(t.operations.kinds[op.kind], op.total, op.requestedBy);
}

/** How the builds were chosen: a filter in words, the concurrency policy, or one by one. */
export function operationSelection(op: Pick<Operation, "filter" | "source" | "total">, t: Messages): string {
  const words = t.operations.scopes;
  if (op.filter) {
    const statuses = words.statusJoin(op.filter.status.map((s) => t.status[s].toLocaleLowerCase()));
    const before = op.filter.before;
    const beforeText =
      before === undefined
        ? null
        : typeof before === "number"
          ? words.beforeNumber(before)
          : dayjs(before).format(t.time.exact);
    return words.filter(statuses, op.filter.branch ?? null, beforeText);
  }
  if (op.source === "concurrency") return words.policy;
  return words.chosen(op.total);
}

export function operationScope(op: Pick<Operation, "filter" | "source" | "total" | "pipeline">, t: Messages): string {
  return `${t.operations.scopes.pipeline(op.pipeline)} · ${operationSelection(op, t)}`;
}
