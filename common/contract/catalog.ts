/** Projects and pipelines. */
import { z } from "zod";
import { Build } from "./builds.ts";
import { Time } from "./shared.ts";

export const Project = z.object({
  name: z.string(),
  displayName: z.string(),
  createdAt: Time,
  /** Branch patterns filter-based bulk cancels (automatic ones too) never reach unless a request includes them. */
  protectedBranches: z.array(z.string()),
  /** Guardrails for bulk cancels (the defaults when never set). */
  bulkCancel: z.object({
    minimumRole: z.enum(["developer", "maintainer", "admin"]),
    confirmAbove: z.number().int(),
    confirmStages: z.array(z.string()),
  }),
});
export type Project = z.infer<typeof Project>;

export const PipelineSummary = z.object({
  project: z.string(),
  name: z.string(),
  createdAt: Time,
  updatedAt: Time,
  /** Active builds right now, across all pages. */
  active: z.object({ queued: z.number().int(), running: z.number().int(), canceling: z.number().int() }),
  lastBuild: Build.nullable(),
});
export type PipelineSummary = z.infer<typeof PipelineSummary>;

/** A parameter a pipeline declares (`params:`): what a trigger may set, and the Run build form asks for. */
export const DeclaredParam = z.object({
  default: z.string().optional(),
  description: z.string().optional(),
  options: z.array(z.string()).optional(),
});
export type DeclaredParam = z.infer<typeof DeclaredParam>;

/**
 * A pipeline's parsed definition as the engine stores it (its defaults applied): the fields
 * readers rely on are named, the rest (stages, concurrency, `on`, …) passes through.
 */
export const PipelineDefinition = z.looseObject({
  cancelGraceSeconds: z.number(),
  params: z.record(z.string(), DeclaredParam),
});

export const Pipeline = PipelineSummary.extend({ source: z.string(), definition: PipelineDefinition });
export type Pipeline = z.infer<typeof Pipeline>;

export const ProjectRequest = z.strictObject({
  displayName: z.string().min(1).max(200).optional(),
  /**
   * Branch patterns (GitHub's branch-filter syntax: `main`, `release/*`, `!release/old`) that
   * filter-based bulk cancels, automatic ones included, skip; `[]` clears them. Maintainers and admins.
   */
  protectedBranches: z.array(z.string().min(1).max(255)).max(100).optional(),
  /**
   * Guardrails for bulk cancels (maintainers and admins): below `minimumRole` a bulk cancel is
   * refused (single cancels keep the developer role); above `confirmAbove` builds (default 100), or
   * with a stage of `confirmStages` in flight, the confirm must carry `confirmCount`. Fields left
   * out keep their value.
   */
  bulkCancel: z
    .strictObject({
      minimumRole: z.enum(["developer", "maintainer", "admin"]).optional(),
      confirmAbove: z.number().int().min(1).max(1_000_000).optional(),
      confirmStages: z.array(z.string().min(1).max(100)).max(50).optional(),
    })
    .optional(),
});
export type ProjectRequest = z.infer<typeof ProjectRequest>;

/** `PUT .../pipelines/{pipeline}`: the pipeline's YAML (application/yaml) or its JSON form. */
export const PipelineSourceRequest = z.union([z.string(), z.record(z.string(), z.unknown())]);
