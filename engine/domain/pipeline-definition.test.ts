import { describe, expect, it } from "vitest";
import { InputError } from "../../common/errors.ts";
import { parsePipelineDefinition } from "./pipeline-definition.ts";

const DESIGN_EXAMPLE = `
name: web-app
concurrency:
  group: \${{ branch }}
  cancelInProgress: true
  queueLength: 10
  queueTimeoutMinutes: 60
cancelGraceSeconds: 10
stages:
  - name: build
    jobs:
      - name: compile
        steps:
          - run: npm ci && npm run build
  - name: test
    jobs:
      - name: unit
        timeoutMinutes: 30
        steps:
          - run: npm test
`;

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected an InputError");
}

describe("pipeline definitions", () => {
  it("accepts the design's example and fills defaults", () => {
    const def = parsePipelineDefinition(DESIGN_EXAMPLE);
    expect(def.stages.map((s) => s.name)).toEqual(["build", "test"]);
    expect(def.stages[0]?.jobs[0]?.timeoutMinutes).toBe(60);
    expect(def.stages[1]?.jobs[0]?.timeoutMinutes).toBe(30);
    expect(def.concurrency?.cancelInProgress).toBe(true);
    expect(def.cancelGraceSeconds).toBe(10);
  });

  it("names the missing field by its full path", () => {
    const yaml = `
stages:
  - name: a
    jobs: [{ name: j, steps: [{ run: "true" }] }]
  - name: b
    jobs:
      - name: k
        steps: [{ run: "true" }, { run: "true" }, { name: third }]
`;
    const err = errorOf(() => parsePipelineDefinition(yaml));
    expect(err.code).toBe("invalid_pipeline");
    expect(err.message).toBe("stages[1].jobs[0].steps[2].run: required");
  });

  it("reports unknown fields, wrong types and out-of-range values together", () => {
    const err = errorOf(() =>
      parsePipelineDefinition({
        cancelGraceSeconds: "ten",
        concurrency: { group: "x", queueLength: 500 },
        stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "x" }], retries: 3 }] }],
      }),
    );
    expect(err.message).toContain("cancelGraceSeconds: must be number");
    expect(err.message).toContain("concurrency.queueLength: must be <=200");
    expect(err.message).toContain("stages[0].jobs[0].retries: unknown field");
  });

  it("rejects malformed YAML with its position", () => {
    const err = errorOf(() => parsePipelineDefinition("stages: [\n  - name: x\n   bad"));
    expect(err.code).toBe("invalid_yaml");
    expect(err.message).toMatch(/^Malformed YAML at line \d+/);
  });

  it("rejects a concurrency group that uses an unknown variable", () => {
    const err = errorOf(() =>
      parsePipelineDefinition({
        concurrency: { group: "${{ secrets.x }}" },
        stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "x" }] }] }],
      }),
    );
    expect(err.message).toContain('concurrency.group: unknown variable "secrets.x"');
  });

  it("rejects duplicate job names within a stage and empty stage lists", () => {
    expect(
      errorOf(() =>
        parsePipelineDefinition({
          stages: [
            {
              name: "s",
              jobs: [
                { name: "j", steps: [{ run: "x" }] },
                { name: "j", steps: [{ run: "y" }] },
              ],
            },
          ],
        }),
      ).message,
    ).toContain("stages[0].jobs[1].name: duplicate job name");
    expect(errorOf(() => parsePipelineDefinition({ stages: [] })).message).toContain("stages: must be >=1");
  });
});
