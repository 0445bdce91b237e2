import { QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it, vi } from "vitest";
import { queryKeys } from "../../../lib/query-keys.ts";
import { openStream } from "../../../test/fake-stream.ts";
import { build, change, historyPage } from "../../../test/fixtures.ts";
import { mockApi } from "../../../test/mock-api.ts";
import { testQueryClient } from "../../../test/render.tsx";
import { useHistory } from "../api/get-history.ts";
import type { HistoryPages } from "../utils/apply-build-changes.ts";
import { useHistoryEvents } from "./use-history-events.ts";

const HISTORY = "/api/projects/demo/pipelines/web-app/history";
const TOPIC = "pipeline:demo/web-app";
const filters = { status: [], branch: "" };
const first = [build(12, "RUNNING"), build(11, "RUNNING")];

async function setup(answer: () => unknown = () => historyPage([build(13, "QUEUED"), ...first])) {
  const api = mockApi({ [`GET ${HISTORY}`]: answer });
  const queryClient = testQueryClient();
  const key = queryKeys.historyRows("demo", "web-app", filters);
  queryClient.setQueryData<HistoryPages>(key, { pages: [historyPage(first)], pageParams: [null] });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
  );
  const hook = renderHook(
    () => {
      useHistory("demo", "web-app", filters);
      return useHistoryEvents("demo", "web-app");
    },
    { wrapper },
  );
  const rows = () => queryClient.getQueryData<HistoryPages>(key)!.pages.flatMap((p) => p.builds.items);
  const stream = await openStream(TOPIC);
  act(() => stream.connect());
  // Going live reads the rows once (what happened before is not on the stream); counted from here.
  await vi.waitFor(() => expect(api.callsTo("GET", HISTORY)).toHaveLength(1));
  const fetchesSince = () => api.callsTo("GET", HISTORY).slice(1);
  return { api, rows, stream, hook, fetchesSince, queryClient };
}

describe("the pipeline's topic of the page's stream", () => {
  it("reads the rows again once when the topic goes live: a build changed before that is not on the stream", async () => {
    const { rows } = await setup();
    await vi.waitFor(() => expect(rows().map((b) => b.number)).toEqual([13, 12, 11]));
  });

  it("an answer asked for before a change arrived does not put the row back: the change is applied to it again", async () => {
    // The refetch on going live answers with #12 Canceling; the stream meanwhile said Canceled.
    let answer: (page: unknown) => void = () => {};
    const { rows, stream, queryClient } = await setup(() => new Promise((resolve) => (answer = resolve)));
    const canceling = build(12, "CANCELING");
    act(() =>
      stream.emit("builds", {
        project: "demo",
        pipeline: "web-app",
        changes: [
          change(canceling, "CANCELED", {
            from: "CANCELING",
            by: "ci",
            reason: "superseded by #13",
            operationId: "op-1",
          }),
        ],
      }),
    );
    expect(rows()[0]).toMatchObject({ number: 12, status: "CANCELED" });
    await act(async () => answer(historyPage([canceling, build(11, "RUNNING")])));
    await vi.waitFor(() => expect(queryClient.isFetching()).toBe(0));
    expect(rows().map((b) => [b.number, b.status])).toEqual([
      [12, "CANCELED"],
      [11, "RUNNING"],
    ]);
  });

  it("applies a builds message to the cached rows without fetching them again", async () => {
    const { rows, stream, hook, fetchesSince } = await setup();
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    expect(hook.result.current).toBe("live");
    act(() =>
      stream.emit("builds", {
        project: "demo",
        pipeline: "web-app",
        changes: [
          change(build(12, "RUNNING"), "CANCELING", {
            from: "RUNNING",
            by: "alice",
            reason: "bad push",
            operationId: "op-1",
          }),
          change(build(11, "RUNNING"), "CANCELED", {
            from: "CANCELING",
            by: "alice",
            reason: "bad push",
            operationId: "op-1",
          }),
        ],
      }),
    );
    expect(rows().map((b) => [b.number, b.status])).toEqual([
      [13, "QUEUED"],
      [12, "CANCELING"],
      [11, "CANCELED"],
    ]);
    expect(rows()[2]!.cancel).toMatchObject({ by: "alice", reason: "bad push" });
    expect(fetchesSince()).toHaveLength(0);
  });

  it("shows a new build at once and completes it from one fetch of the newest page", async () => {
    const { rows, stream, fetchesSince } = await setup();
    act(() =>
      stream.emit("builds", {
        project: "demo",
        pipeline: "web-app",
        changes: [change(build(14, "QUEUED"), "QUEUED", { created: true, by: "bob" })],
      }),
    );
    expect(rows()[0]).toMatchObject({ number: 14, status: "QUEUED", triggeredBy: "bob" });
    await vi.waitFor(() => expect(fetchesSince()).toHaveLength(1));
    const fetches = fetchesSince();
    expect(fetches).toHaveLength(1);
    expect(fetches[0]!.query.get("cursor")).toBeNull();
  });

  it("refetches once to catch up after the connection came back", async () => {
    const { stream, hook, fetchesSince } = await setup();
    act(() => stream.fail());
    expect(hook.result.current).toBe("reconnecting");
    act(() => stream.connect());
    expect(hook.result.current).toBe("live");
    await vi.waitFor(() => expect(fetchesSince()).toHaveLength(1));
  });
});
