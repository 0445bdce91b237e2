import { describe, expect, it } from "vitest";
import { groupExpressionProblem, queueDecision, resolveGroup } from "./concurrency.ts";

describe("concurrency group expressions", () => {
  const ctx = { branch: "main", commit: "abc1234", pipeline: "web", params: { env: "prod" } };

  it("resolves branch, commit, pipeline and params", () => {
    expect(resolveGroup("${{ pipeline }}-${{branch}}-${{ params.env }}@${{ commit }}", ctx)).toBe(
      "web-main-prod@abc1234",
    );
    expect(resolveGroup("deploy-${{ params.missing }}", ctx)).toBe("deploy-");
    expect(resolveGroup("static", ctx)).toBe("static");
  });

  it("reads only the build's own parameters, never a member every object inherits", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
      expect(resolveGroup(`g-\${{ params.${name} }}`, ctx)).toBe("g-");
    }
    expect(resolveGroup("${{ params.constructor }}", { ...ctx, params: { constructor: "mine" } })).toBe("mine");
  });

  it("refuses at save time a parameter name that every object inherits", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(groupExpressionProblem(`\${{ params.${name} }}`)).toMatch(/may not be used as a parameter name/);
    }
  });

  it("names what is wrong with a bad expression", () => {
    expect(groupExpressionProblem("${{ branch }}")).toBeNull();
    expect(groupExpressionProblem("${{ env.HOME }}")).toMatch(/unknown variable "env.HOME"/);
    expect(groupExpressionProblem("${{ branch")).toMatch(/unclosed/);
    expect(groupExpressionProblem(" ")).toMatch(/empty/);
  });
});

describe("queue policy without cancelInProgress", () => {
  it("starts at once when the group is idle", () => {
    expect(queueDecision({ queueLength: 0, waiting: 0, busy: false })).toEqual({ kind: "enqueue", evictOldest: 0 });
  });
  it("rejects when the group is busy and the queue length is 0", () => {
    expect(queueDecision({ queueLength: 0, waiting: 0, busy: true })).toEqual({ kind: "reject" });
  });
  it("waits while there is room and evicts the oldest when the queue is full", () => {
    expect(queueDecision({ queueLength: 2, waiting: 1, busy: true })).toEqual({ kind: "enqueue", evictOldest: 0 });
    expect(queueDecision({ queueLength: 2, waiting: 2, busy: true })).toEqual({ kind: "enqueue", evictOldest: 1 });
  });
});
