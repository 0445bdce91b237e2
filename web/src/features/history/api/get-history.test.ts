import type { HistoryResponse } from "@common/bff-api.ts";
import { describe, expect, it, vi } from "vitest";
import { queryKeys } from "../../../lib/query-keys.ts";
import { build, historyPage } from "../../../test/fixtures.ts";
import { mockApi } from "../../../test/mock-api.ts";
import { testQueryClient } from "../../../test/render.tsx";
import { historyQueryOptions } from "./get-history.ts";

describe("the history's first page and the live counts", () => {
  it("a page that was on its way while the counts were refreshed does not put the older counts back", async () => {
    let release: (() => void) | undefined;
    mockApi({
      "GET /api/projects/demo/pipelines/web-app/history": () =>
        new Promise<HistoryResponse>((resolve) => {
          release = () => resolve(historyPage([build(1, "CANCELING")]));
        }),
    });
    const client = testQueryClient();
    const summaryKey = queryKeys.historySummary("demo", "web-app", "");
    const fetching = client.fetchInfiniteQuery(historyQueryOptions("demo", "web-app", { status: [], branch: "" }));
    await vi.waitFor(() => expect(release).toBeDefined());
    // The counts refreshed after the last change: nothing is canceling any more.
    client.setQueryData(summaryKey, historyPage([build(1, "CANCELED")]));
    release?.();
    await fetching;
    expect(client.getQueryData<HistoryResponse>(summaryKey)?.counts.CANCELING).toBe(0);
  });

  it("the first page seeds counts nobody has yet", async () => {
    mockApi({ "GET /api/projects/demo/pipelines/web-app/history": () => historyPage([build(1, "CANCELING")]) });
    const client = testQueryClient();
    await client.fetchInfiniteQuery(historyQueryOptions("demo", "web-app", { status: [], branch: "" }));
    expect(
      client.getQueryData<HistoryResponse>(queryKeys.historySummary("demo", "web-app", ""))?.counts.CANCELING,
    ).toBe(1);
  });
});
