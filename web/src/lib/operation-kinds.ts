/**
 * What the page does differently for each kind of bulk operation, declared once. A `Record` over
 * every kind: a new kind that is not declared here fails to compile, and the dialog, preview,
 * toast, operation page, status tag and counts read their kind's entry instead of asking
 * "is it a cancel?".
 */
import type { OperationKind } from "@common/constants.ts";
import type { BatchPreview, OperationCounts } from "@common/dto.ts";
import { BUILD_STATUSES } from "@common/statuses.ts";
import type { Messages } from "./i18n/en.ts";

export type CountKey = keyof OperationCounts;

export type KindView = {
  /** Its outcome counts, in the order the page shows them. */
  countKeys: readonly CountKey[];
  /**
   * It stops builds: its confirm is a danger button, and it knows protected jobs (left running
   * unless forced), keep-newest, protected branches, impact and the typed confirmation.
   */
  stops: boolean;
  /** What it did can be re-run afterwards ("Re-run what this canceled"). */
  rerunnable: boolean;
  /** Completed without failures and without doing what it is for: amber, not green. */
  didNothing: (counts: OperationCounts) => boolean;
  /** Its words, in the page's language. */
  texts: (t: Messages) => KindTexts;
};

export type KindTexts = {
  /** "Canceling 3 builds…" */
  running: (n: number) => string;
  progressLabel: string;
  /** The toast's title once it completed without failures, and with some. */
  complete: string;
  finishedWithFailures: (failed: number) => string;
  /** "3 canceled · 0 had already finished · 0 failed" */
  summary: (counts: OperationCounts) => string;
  /** The preview's first line: "Cancel 137 builds on main: 12 running, 125 queued, up to #580". */
  headline: (preview: BatchPreview, context: HeadlineContext) => string;
  dialog: {
    title: (n: number) => string;
    confirm: (n: number) => string;
    keep: string;
    failed: (message: string) => string;
    intro: string;
    nothingMatches: string;
    reasonPlaceholder: string;
  };
};

/** What the preview's headline needs besides the preview: the filter's branch, the pipeline's newest, how many it acts on. */
export type HeadlineContext = { branch: string | null; upTo: number | null; acting: number };

export const OPERATION_KIND_VIEWS: Record<OperationKind, KindView> = {
  cancel: {
    countKeys: ["canceled", "alreadyFinished", "failed", "protected", "pending"],
    stops: true,
    rerunnable: true,
    didNothing: (counts) => counts.canceled === 0,
    texts: (t) => ({
      running: t.operations.canceling,
      progressLabel: t.operations.progressLabel,
      complete: t.operations.complete,
      finishedWithFailures: t.operations.finishedWithFailures,
      summary: t.operations.summary,
      headline: (preview, { branch, upTo, acting }) =>
        t.dialog.headline({
          n: preview.total,
          acting,
          branch,
          running: preview.byStatus.RUNNING,
          queued: preview.byStatus.QUEUED,
          upTo,
        }),
      dialog: {
        title: t.dialog.title,
        confirm: t.dialog.confirm,
        keep: t.dialog.keep,
        failed: t.dialog.failed,
        intro: t.dialog.intro,
        nothingMatches: t.dialog.nothingMatches,
        reasonPlaceholder: t.dialog.reasonPlaceholder,
      },
    }),
  },
  rerun: {
    countKeys: ["created", "skipped", "failed", "pending"],
    stops: false,
    rerunnable: false,
    didNothing: () => false,
    texts: (t) => ({
      running: t.operations.rerunning,
      progressLabel: t.operations.rerunProgressLabel,
      complete: t.operations.rerunComplete,
      finishedWithFailures: t.operations.rerunFailures,
      summary: t.operations.rerunSummary,
      headline: (preview) =>
        t.rerunDialog.headline(
          preview.total,
          BUILD_STATUSES.filter((s) => preview.byStatus[s] > 0)
            .map((s) => t.rerunDialog.statusCount(preview.byStatus[s], t.status[s]))
            .join(", "),
        ),
      dialog: {
        title: t.rerunDialog.title,
        confirm: t.rerunDialog.confirm,
        keep: t.rerunDialog.keep,
        failed: t.rerunDialog.failed,
        intro: t.rerunDialog.intro,
        nothingMatches: t.rerunDialog.nothingMatches,
        reasonPlaceholder: t.rerunDialog.reasonPlaceholder,
      },
    }),
  },
};

/** The end of an exhaustive switch over kinds: a kind left out fails to compile here. */
export function unknownKind(value: never): never {
  throw new Error(`no such operation kind: ${JSON.stringify(value)}`);
}

export function kindView(kind: OperationKind): KindView {
  return OPERATION_KIND_VIEWS[kind];
}

/** Its outcome counts, in the order the page shows them. */
export function countKeys(kind: OperationKind): readonly CountKey[] {
  return OPERATION_KIND_VIEWS[kind].countKeys;
}
