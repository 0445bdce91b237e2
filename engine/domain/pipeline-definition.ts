/**
 * Pipeline definitions: the YAML (or JSON) shape of a pipeline, validated with errors that name
 * the bad field, e.g. `stages[1].jobs[0].steps[2].run: required`.
 */
import { parseDocument } from "yaml";
import { z } from "zod";
import { InputError } from "../../common/errors.ts";
import { parseInput } from "../../common/validation.ts";
import { branchPatternsProblem } from "./branch-filter.ts";
import { groupExpressionProblem, paramsUsedBy } from "./concurrency.ts";
import { paramNameProblem } from "./params.ts";

const Name = z.string().min(1).max(100);

const Step = z.strictObject({
  name: Name.optional(),
  run: z.string().min(1).max(65_536),
});

const Job = z.strictObject({
  name: Name,
  timeoutMinutes: z
    .number()
    .positive()
    .max(7 * 24 * 60)
    .default(60),
  env: z
    .record(
      z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
        .refine((n) => !n.toUpperCase().startsWith("SLUICE_"), "names starting with SLUICE_ are set by Sluice"),
      z.string().max(65_536),
    )
    .default({}),
  /** false (GitLab's meaning): once this job has started, automatic cancels leave the build alone. */
  interruptible: z.boolean().default(true),
  steps: z.array(Step).min(1).max(100),
});

const Stage = z
  .strictObject({
    name: Name,
    jobs: z.array(Job).min(1).max(50),
  })
  .superRefine((stage, ctx) => {
    const seen = new Set<string>();
    stage.jobs.forEach((job, i) => {
      if (seen.has(job.name))
        ctx.addIssue({ code: "custom", path: ["jobs", i, "name"], message: "duplicate job name" });
      seen.add(job.name);
    });
  });

const Concurrency = z.strictObject({
  group: z
    .string()
    .max(500)
    .superRefine((expr, ctx) => {
      const problem = groupExpressionProblem(expr);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  cancelInProgress: z.boolean().default(false),
  queueLength: z.number().int().min(0).max(200).default(10),
  queueTimeoutMinutes: z
    .number()
    .positive()
    .max(7 * 24 * 60)
    .default(60),
});

const ParamValue = z.string().max(4096);

const Param = z
  .strictObject({
    default: ParamValue.optional(),
    description: z.string().max(500).optional(),
    options: z.array(ParamValue).min(1).max(100).optional(),
  })
  .refine((p) => p.default === undefined || p.options === undefined || p.options.includes(p.default), {
    message: "default must be one of options",
    path: ["default"],
  });

const BranchPatterns = z
  .array(z.string().max(255))
  .min(1)
  .max(100)
  .superRefine((patterns, ctx) => {
    const problem = branchPatternsProblem(patterns);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** Which repository events start this pipeline (GitHub's filter patterns); none: API triggers only. */
const On = z
  .strictObject({
    push: z.strictObject({ branches: BranchPatterns.optional(), branchesIgnore: BranchPatterns.optional() }).optional(),
    /** `branches` filters the pull request's base (target) branch, as on GitHub. */
    pullRequest: z
      .strictObject({ branches: BranchPatterns.optional(), branchesIgnore: BranchPatterns.optional() })
      .optional(),
  })
  .refine((on) => on.push !== undefined || on.pullRequest !== undefined, "name push, pullRequest or both");

/**
 * Pipelines triggered by pushes supersede their branch's older builds unless they say otherwise:
 * GitHub's `${{ github.workflow }}-${{ github.ref }}` with cancel-in-progress. The group holds the
 * pipeline's name as well as the branch, because groups are shared by a project's pipelines (two
 * pipelines of one push must not cancel each other).
 */
export const PUSH_CONCURRENCY = {
  group: "${{ pipeline }}/${{ branch }}",
  cancelInProgress: true,
  queueLength: 10,
  queueTimeoutMinutes: 60,
} as const;

const Params = z.record(z.string(), Param).superRefine((params, ctx) => {
  for (const name of Object.keys(params)) {
    const problem = paramNameProblem(name);
    if (problem) ctx.addIssue({ code: "custom", path: [name], message: problem });
  }
});

export const PipelineDefinitionSchema = z
  .strictObject({
    name: z.string().max(100).optional(),
    /** Parameters a trigger may set: the only ones a build accepts. */
    params: Params.default({}),
    concurrency: Concurrency.optional(),
    /** The project's repository this pipeline checks out (`PUT .../repositories/{name}`). */
    repository: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "must be a repository's name")
      .optional(),
    on: On.optional(),
    cancelGraceSeconds: z.number().min(0).max(3600).default(10),
    stages: z.array(Stage).min(1).max(50),
  })
  .superRefine((definition, ctx) => {
    if (definition.on && !definition.repository) {
      ctx.addIssue({
        code: "custom",
        path: ["on"],
        message: "needs repository: the repository whose events it follows",
      });
    }
    for (const name of paramsUsedBy(definition.concurrency?.group ?? "")) {
      if (!Object.hasOwn(definition.params, name)) {
        ctx.addIssue({
          code: "custom",
          path: ["concurrency", "group"],
          message: `uses params.${name}, which is not declared under params`,
        });
      }
    }
  });

export type PipelineDefinition = z.output<typeof PipelineDefinitionSchema>;
export type ConcurrencyPolicy = NonNullable<PipelineDefinition["concurrency"]>;

/** Most jobs and steps one pipeline may hold: every trigger writes a row for each. */
export const MAX_JOBS = 200;
export const MAX_STEPS = 2000;
/** Most alias uses in a YAML document (the `yaml` package's `maxAliasCount`): no billion laughs. */
const MAX_YAML_ALIASES = 100;

/** Parses a pipeline from YAML text (JSON is YAML too) or from an already-parsed object. */
export function parsePipelineDefinition(input: string | unknown): PipelineDefinition {
  const raw = typeof input === "string" ? parseYaml(input) : input;
  const definition = parseInput(PipelineDefinitionSchema, raw, "invalid_pipeline");
  checkSize(definition);
  if (definition.on?.push && !definition.concurrency) return { ...definition, concurrency: { ...PUSH_CONCURRENCY } };
  return definition;
}

function checkSize(definition: PipelineDefinition): void {
  const jobs = definition.stages.flatMap((s) => s.jobs);
  const steps = jobs.reduce((n, j) => n + j.steps.length, 0);
  if (jobs.length > MAX_JOBS || steps > MAX_STEPS) {
    throw new InputError(
      `A pipeline may hold at most ${MAX_JOBS} jobs and ${MAX_STEPS} steps in all; this one has ${jobs.length} and ${steps}`,
      { jobs: jobs.length, steps, maxJobs: MAX_JOBS, maxSteps: MAX_STEPS },
      "pipeline_too_large",
    );
  }
}

function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true });
  const firstError = doc.errors[0];
  if (firstError) {
    const at = firstError.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : "";
    throw new InputError(
      `Malformed YAML${where}: ${firstError.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")}`,
      undefined,
      "invalid_yaml",
    );
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    if (err instanceof ReferenceError && /alias count/i.test(err.message)) {
      throw new InputError(
        `The YAML expands too far through aliases (at most ${MAX_YAML_ALIASES} uses)`,
        undefined,
        "yaml_too_complex",
      );
    }
    throw new InputError(`Malformed YAML: ${String((err as Error).message).split("\n")[0]}`, undefined, "invalid_yaml");
  }
}
