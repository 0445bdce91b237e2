/**
 * What the command line says and does differently per kind of bulk operation, declared once: a
 * `Record` over every kind, so a new kind left out fails to compile.
 */
import type { OperationKind } from "../common/constants.ts";
import type { OperationCounts } from "../common/dto.ts";

export type CliKind = {
  /** "cancel", "re-run": the verb of "12 builds to cancel". */
  noun: string;
  /** "canceling 12 builds" */
  doing: string;
  /** Its title word: "Cancel of 25 builds …" */
  title: string;
  /** Stops builds: protected jobs, --force, impact and --confirm apply. */
  stops: boolean;
  /** Lists the builds it made once done. */
  listsCreated: boolean;
  /** Its outcome counts in words: "48 canceled · 2 already finished · 0 failed". */
  counts: (c: OperationCounts) => string[];
};

export const CLI_KINDS: Record<OperationKind, CliKind> = {
  cancel: {
    noun: "cancel",
    doing: "canceling",
    title: "Cancel",
    stops: true,
    listsCreated: false,
    counts: (c) => [
      `${c.canceled} canceled`,
      `${c.alreadyFinished} already finished`,
      `${c.failed} failed`,
      ...(c.protected > 0 ? [`${c.protected} protected (left running)`] : []),
    ],
  },
  rerun: {
    noun: "re-run",
    doing: "re-running",
    title: "Re-run",
    stops: false,
    listsCreated: true,
    counts: (c) => [`${c.created} created`, `${c.skipped} skipped`, `${c.failed} failed`],
  },
};
