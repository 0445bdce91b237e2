import type { BuildStatus } from "@common/statuses.ts";
import { describe, expect, it } from "vitest";
import { build, change, historyPage } from "../../../test/fixtures.ts";
import { applyBuildChanges, type HistoryPages, mergeNewestPage } from "./apply-build-changes.ts";

const noFilters = { status: [], branch: "" };

function pages(...lists: ReturnType<typeof build>[][]): HistoryPages {
  return {
    pages: lists.map((items, i) =>
      historyPage(items, { builds: { items, nextCursor: i < lists.length - 1 ? `c${i + 1}` : null } }),
    ),
    pageParams: lists.map((_, i) => (i === 0 ? null : `c${i}`)),
  };
}

describe("applying build changes to cached history pages", () => {
  it("updates status and cancel fields of rows it holds, keeping untouched rows and pages as they were", () => {
    const data = pages([build(12, "RUNNING"), build(11, "RUNNING")], [build(10, "SUCCEEDED")]);
    const { data: next, incomplete } = applyBuildChanges(
      data,
      [
        change(build(12, "RUNNING"), "CANCELING", {
          from: "RUNNING",
          by: "alice",
          reason: "bad push",
          operationId: "op-1",
        }),
      ],
      noFilters,
    );
    const row = next.pages[0]!.builds.items[0]!;
    expect(row.status).toBe("CANCELING");
    expect(row.cancel).toEqual({
      by: "alice",
      reason: "bad push",
      operationId: "op-1",
      at: "2024-05-01T10:06:00.000Z",
    });
    expect(next.pages[0]!.builds.items[1]).toBe(data.pages[0]!.builds.items[1]);
    expect(next.pages[1]).toBe(data.pages[1]);
    expect(incomplete).toBe(false);
  });

  it("marks a build finished when it reaches a terminal status, and never moves a terminal build", () => {
    const data = pages([build(12, "CANCELING"), build(11, "CANCELED")]);
    const { data: next } = applyBuildChanges(
      data,
      [change(build(12, "RUNNING"), "CANCELED", { from: "CANCELING" }), change(build(11, "RUNNING"), "RUNNING")],
      noFilters,
    );
    expect(next.pages[0]!.builds.items[0]).toMatchObject({
      status: "CANCELED",
      finishedAt: "2024-05-01T10:06:00.000Z",
    });
    expect(next.pages[0]!.builds.items[1]).toBe(data.pages[0]!.builds.items[1]);
  });

  it("a row whose new status the view's status filter excludes leaves the view (canceled under Queued + Running)", () => {
    const data = pages([build(12, "RUNNING"), build(11, "QUEUED"), build(10, "RUNNING")], [build(9, "QUEUED")]);
    const filters = { status: ["QUEUED", "RUNNING"] as BuildStatus[], branch: "" };
    const { data: next } = applyBuildChanges(
      data,
      [
        change(build(11, "QUEUED"), "CANCELED", { from: "QUEUED" }),
        change(build(12, "QUEUED"), "RUNNING", { from: "RUNNING" }),
        change(build(9, "QUEUED"), "CANCELED", { from: "QUEUED" }),
      ],
      filters,
    );
    expect(next.pages.map((p) => p.builds.items.map((b) => [b.number, b.status]))).toEqual([
      [
        [12, "RUNNING"],
        [10, "RUNNING"],
      ],
      [],
    ]);
    // Without a status filter the row stays, now canceled.
    const all = applyBuildChanges(data, [change(build(11, "QUEUED"), "CANCELED", { from: "QUEUED" })], noFilters);
    expect(all.data.pages[0]!.builds.items.map((b) => b.status)).toEqual(["RUNNING", "CANCELED", "RUNNING"]);
  });

  it("returns the same data when nothing it shows changed", () => {
    const data = pages([build(12, "RUNNING")]);
    expect(applyBuildChanges(data, [change(build(12, "RUNNING"), "RUNNING")], noFilters).data).toBe(data);
  });

  it("puts a new build on top of the first page when the filters let it in", () => {
    const data = pages([build(12, "RUNNING")], [build(11, "SUCCEEDED")]);
    const created = change(build(13, "QUEUED"), "QUEUED", { created: true, by: "bob" });
    const { data: next, incomplete } = applyBuildChanges(data, [created], noFilters);
    expect(next.pages[0]!.builds.items.map((b) => b.number)).toEqual([13, 12]);
    expect(next.pages[0]!.builds.items[0]).toMatchObject({ status: "QUEUED", triggeredBy: "bob", commit: "" });
    expect(incomplete).toBe(true);
  });

  it("leaves a new build out when the filters exclude it", () => {
    const data = pages([build(12, "RUNNING")]);
    const created = change(build(13, "QUEUED"), "QUEUED", { created: true });
    expect(applyBuildChanges(data, [created], { status: ["RUNNING"], branch: "" }).data).toBe(data);
    expect(applyBuildChanges(data, [created], { status: [], branch: "release" }).data).toBe(data);
  });

  it("under a trigger filter leaves a new build out (a change does not say what triggered it) and asks for the newest page", () => {
    const data = pages([build(12, "RUNNING")]);
    const created = change(build(13, "QUEUED"), "QUEUED", { created: true });
    for (const filters of [
      { status: [], branch: "", trigger: "push" as const },
      { status: [], branch: "", pullRequest: 12 },
    ]) {
      const result = applyBuildChanges(data, [created], filters);
      expect(result.data).toBe(data);
      expect(result.incomplete).toBe(true);
    }
  });

  it("leaves out builds older than the loaded pages", () => {
    const data = pages([build(12, "RUNNING"), build(11, "RUNNING")]);
    data.pages[0]!.builds.nextCursor = "more";
    expect(applyBuildChanges(data, [change(build(3, "RUNNING"), "CANCELING")], noFilters).data).toBe(data);
  });

  it("merges the newest page fetched later: full rows replace partial ones, finished rows stay finished", () => {
    const data = pages([build(13, "QUEUED", { commit: "" }), build(12, "CANCELED")]);
    const fetched = historyPage([build(13, "RUNNING"), build(12, "RUNNING")]);
    const next = mergeNewestPage(data, fetched);
    expect(next.pages[0]!.builds.items[0]).toMatchObject({ status: "RUNNING", commit: build(13, "RUNNING").commit });
    expect(next.pages[0]!.builds.items[1]!.status).toBe("CANCELED");
  });
});
