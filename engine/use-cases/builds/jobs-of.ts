/** A pipeline definition's jobs and steps, as a new build gets them (triggers and re-runs). */
import type { PipelineDefinition } from "../../domain/pipeline-definition.ts";
import type { NewJob } from "../../store/jobs-repo.ts";

export function jobsOf(definition: PipelineDefinition): NewJob[] {
  return definition.stages.flatMap((stage, stageIndex) =>
    stage.jobs.map((job, jobIndex) => ({
      stageIndex,
      stageName: stage.name,
      jobIndex,
      name: job.name,
      timeoutSeconds: job.timeoutMinutes * 60,
      env: job.env,
      interruptible: job.interruptible,
      steps: job.steps.map((step, index) => ({ index, name: step.name ?? firstLine(step.run), run: step.run })),
    })),
  );
}

function firstLine(run: string): string {
  const line = run.trim().split("\n")[0] ?? "";
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
