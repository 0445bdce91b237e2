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

async function setup() {
  const first = [build(12, "RUNNING"), build(11, "RUNNING")];
  const api = mockApi({ [`GET ${HISTORY}`]: () => historyPage([build(13, "QUEUED"), ...first]) });
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
  return { api, rows, stream, hook };
}

describe("the pipeline's topic of the page's stream", () => {
  it("applies a builds message to the cached rows without fetching them again", async () => {
    const { api, rows, stream, hook } = await setup();
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
      [12, "CANCELING"],
      [11, "CANCELED"],
    ]);
    expect(rows()[1]!.cancel).toMatchObject({ by: "alice", reason: "bad push" });
    expect(api.callsTo("GET", HISTORY)).toHaveLength(0);
  });

  it("shows a new build at once and completes it from one fetch of the newest page", async () => {
    const { api, rows, stream } = await setup();
    act(() =>
      stream.emit("builds", {
        project: "demo",
        pipeline: "web-app",
        changes: [change(build(13, "QUEUED"), "QUEUED", { created: true, by: "bob" })],
      }),
    );
    expect(rows()[0]).toMatchObject({ number: 13, status: "QUEUED", triggeredBy: "bob" });
    await vi.waitFor(() => expect(rows()[0]!.commit).toBe(build(13, "QUEUED").commit));
    const fetches = api.callsTo("GET", HISTORY);
    expect(fetches).toHaveLength(1);
    expect(fetches[0]!.query.get("cursor")).toBeNull();
  });

  it("refetches once to catch up after the connection came back", async () => {
    const { api, stream, hook } = await setup();
    act(() => stream.fail());
    expect(hook.result.current).toBe("reconnecting");
    act(() => stream.connect());
    expect(hook.result.current).toBe("live");
    await vi.waitFor(() => expect(api.callsTo("GET", HISTORY)).toHaveLength(1));
  });
});
