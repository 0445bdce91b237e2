import type { Operation } from "@common/dto.ts";

/** Items no longer pending, out of all, as a whole percentage (an empty operation is done). */
export function progressPercent(operation: Operation): number {
  if (operation.total === 0) return 100;
  return Math.floor(((operation.total - operation.counts.pending) / operation.total) * 100);
}

export function doneCount(operation: Operation): number {
  return operation.total - operation.counts.pending;
}
