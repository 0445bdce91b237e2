/**
 * An operation's counts: stored as one JSON object of settled items per outcome (so a new kind of
 * operation needs no new columns), shown with every outcome present. Pure.
 */
import { ITEM_OUTCOMES, type ItemOutcome } from "../../common/constants.ts";
import type { OperationCounts } from "../../common/dto.ts";

export type StoredCounts = Partial<Record<Exclude<ItemOutcome, "pending">, number>>;

const CAMEL: Record<Exclude<ItemOutcome, "pending">, Exclude<keyof OperationCounts, "pending">> = {
  canceled: "canceled",
  already_finished: "alreadyFinished",
  failed: "failed",
  protected: "protected",
  created: "created",
  skipped: "skipped",
};

export function parseCounts(json: string): StoredCounts {
  return JSON.parse(json) as StoredCounts;
}

/** The API's counts from the stored object and the pending number. */
export function countsOf(stored: StoredCounts, pending: number): OperationCounts {
  const counts: OperationCounts = {
    canceled: 0,
    alreadyFinished: 0,
    failed: 0,
    protected: 0,
    created: 0,
    skipped: 0,
    pending,
  };
  for (const outcome of ITEM_OUTCOMES) {
    if (outcome !== "pending") counts[CAMEL[outcome]] = Number(stored[outcome] ?? 0);
  }
  return counts;
}
