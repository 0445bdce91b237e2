/**
 * A bulk action a page asks for, before its preview: what to do, and to which builds. Features
 * that select builds (the history, a project, an operation) describe one; the page hands it to
 * the operations feature's dialog, which previews, confirms and follows it.
 */
import type { CancellationPreviewRequest, RerunPreviewRequest } from "@common/bff-api.ts";

export type BulkAction =
  | { kind: "cancel"; request: CancellationPreviewRequest }
  | { kind: "rerun"; request: RerunPreviewRequest };
