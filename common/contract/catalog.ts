/** Projects and pipelines. */
import { z } from "zod";
import { Build } from "./builds.ts";
import { Time } from "./shared.ts";

export const Project = z.object({ name: z.string(), displayName: z.string(), createdAt: Time });
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

export const Pipeline = PipelineSummary.extend({ source: z.string(), definition: z.unknown() });
export type Pipeline = z.infer<typeof Pipeline>;

export const ProjectRequest = z.strictObject({
  displayName: z.string().min(1).max(200).optional(),
});
export type ProjectRequest = z.infer<typeof ProjectRequest>;

/** `PUT .../pipelines/{pipeline}`: the pipeline's YAML (application/yaml) or its JSON form. */
export const PipelineSourceRequest = z.union([z.string(), z.record(z.string(), z.unknown())]);
