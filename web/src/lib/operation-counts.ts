/** Which outcome counts an operation of each kind has, in the order the page shows them. */
import type { OperationKind } from "@common/constants.ts";
import type { OperationCounts } from "@common/dto.ts";

export type CountKey = keyof OperationCounts;

const KEYS: Record<OperationKind, readonly CountKey[]> = {
  cancel: ["canceled", "alreadyFinished", "failed", "protected", "pending"],
  rerun: ["created", "skipped", "failed", "pending"],
};

export function countKeys(kind: OperationKind): readonly CountKey[] {
  return KEYS[kind];
}
