import type { HistoryResponse } from "@common/bff-api.ts";
import { act, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { BulkAction } from "../../../lib/bulk-action.ts";
import { openStream } from "../../../test/fake-stream.ts";
import { build, change, historyPage, operation } from "../../../test/fixtures.ts";
import { type ApiCall, jsonResponse, mockApi } from "../../../test/mock-api.ts";
import { renderPage } from "../../../test/render.tsx";
import { PipelineHistory } from "./pipeline-history.tsx";

const HISTORY = "/api/projects/demo/pipelines/web-app/history";

// Newest first. 40 builds are active across all pages (25 running, 15 queued); six rows are on screen.
const rows = [
  build(12, "RUNNING"),
  build(11, "QUEUED"),
  build(10, "SUCCEEDED"),
  build(9, "RUNNING"),
  build(8, "CANCELED", {
    cancel: { by: "alice", reason: "bad push", operationId: "op-0", at: "2024-05-01T10:04:00Z" },
  }),
  build(7, "CANCELING"),
];

function serve(page: Partial<HistoryResponse> = {}) {
  const counts = { ...historyPage(rows).counts, RUNNING: 25, QUEUED: 15 };
  const response = historyPage(rows, { activeCount: 40, counts, ...page });
  return mockApi({ [`GET ${HISTORY}`]: (_call: ApiCall) => response });
}

/** Renders the page; `onBulkAction` accepts every action at once (as if the dialog had been confirmed). */
async function show(url = "/projects/demo/pipelines/web-app") {
  const user = userEvent.setup();
  const onBulkAction = vi.fn((_action: BulkAction, onAccepted: () => void) => onAccepted());
  const page = await renderPage(<PipelineHistory project="demo" pipeline="web-app" onBulkAction={onBulkAction} />, {
    url,
  });
  await screen.findByRole("link", { name: "#12" });
  return { user, onBulkAction, ...page };
}

const ALL_ACTIVE = { status: ["QUEUED", "RUNNING"] };

const box = (number: number) => screen.getByRole("checkbox", { name: `Select build #${number}` });
const ticked = () =>
  screen
    .getAllByRole("checkbox", { name: /^Select build #/ })
    .filter((c) => (c as HTMLInputElement).checked)
    .map((c) => c.getAttribute("aria-label"));

describe("the history page's selection", () => {
  beforeEach(() => {
    serve();
  });

  it("lets queued and running builds be ticked to cancel, finished ones to re-run, and says why one being canceled cannot", async () => {
    const { user } = await show();
    expect(box(12)).toBeEnabled();
    expect(box(11)).toBeEnabled();
    expect(box(10)).toBeEnabled();
    expect(box(8)).toBeEnabled();
    expect(box(7)).toBeDisabled();
    await user.hover(box(7).closest("span[class]")!.parentElement!);
    expect(await screen.findByRole("tooltip")).toHaveTextContent("Already being canceled");
    await user.click(box(12));
    await user.click(box(10));
    await user.click(box(8));
    expect(screen.getByText("3 selected")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Cancel selected (1)" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Re-run (2)" })).toBeEnabled();
  });

  it("ticks the range between two clicks when the second is a shift-click, active and finished builds alike", async () => {
    const { user } = await show();
    await user.click(box(12));
    await user.keyboard("{Shift>}");
    await user.click(box(8));
    await user.keyboard("{/Shift}");
    expect(ticked()).toEqual([
      "Select build #12",
      "Select build #11",
      "Select build #10",
      "Select build #9",
      "Select build #8",
    ]);
    expect(screen.getByRole("button", { name: "Cancel selected (3)" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Re-run (2)" })).toBeEnabled();
  });

  it("the header checkbox ticks the active builds on the page, then offers all of them across pages, sent as the filter", async () => {
    const { user, onBulkAction } = await show();
    await user.click(screen.getByRole("checkbox", { name: "Select all active builds on this page" }));
    expect(ticked()).toEqual(["Select build #12", "Select build #11", "Select build #9"]);
    expect(screen.getByText("All 3 active builds on this page are selected.")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Select all 40 active builds" }));
    expect(screen.getByText("All 40 active builds are selected.")).toBeInTheDocument();
    expect(ticked()).toEqual(["Select build #12", "Select build #11", "Select build #9"]);
    await user.click(screen.getByRole("button", { name: "Cancel selected (40)" }));
    expect(onBulkAction).toHaveBeenCalledWith(
      { kind: "cancel", request: { filter: ALL_ACTIVE } },
      expect.any(Function),
    );
  });

  it("after selecting all, unticking a row keeps all matching builds but that one, says so, and sends it as left out", async () => {
    const { user, onBulkAction } = await show();
    await user.click(screen.getByRole("checkbox", { name: "Select all active builds on this page" }));
    await user.click(screen.getByRole("button", { name: "Select all 40 active builds" }));
    expect(screen.getByText("All 40 active builds are selected.")).toBeInTheDocument();

    await user.click(box(11));
    expect(
      screen.getByText("All 40 active builds are selected, except 1 you unticked: 39 builds."),
    ).toBeInTheDocument();
    expect(ticked()).toEqual(["Select build #12", "Select build #9"]);
    expect(screen.getByRole("button", { name: "Cancel selected (39)" })).toBeEnabled();
    await user.click(screen.getByRole("button", { name: "Cancel selected (39)" }));
    expect(onBulkAction).toHaveBeenCalledWith(
      { kind: "cancel", request: { filter: ALL_ACTIVE, excludeBuildIds: [1011] } },
      expect.any(Function),
    );
    // Accepted: the selection is done.
    expect(ticked()).toEqual([]);
  });

  it("sends the ticked active builds to cancel and the finished ones to re-run, and clears the selection once accepted", async () => {
    const { user, onBulkAction } = await show();
    await user.click(box(12));
    await user.click(box(9));
    await user.click(box(10));
    await user.click(screen.getByRole("button", { name: "Cancel selected (2)" }));
    expect(onBulkAction).toHaveBeenLastCalledWith(
      { kind: "cancel", request: { buildIds: [1012, 1009] } },
      expect.any(Function),
    );
    expect(ticked()).toEqual([]);

    await user.click(box(10));
    await user.click(box(8));
    await user.click(screen.getByRole("button", { name: "Re-run (2)" }));
    expect(onBulkAction).toHaveBeenLastCalledWith(
      { kind: "rerun", request: { buildIds: [1010, 1008] } },
      expect.any(Function),
    );
    expect(ticked()).toEqual([]);
  });

  it("a ticked build that finishes stays ticked, now to be re-run; one being canceled is let go", async () => {
    const { user } = await show();
    await user.click(box(12));
    await user.click(box(11));
    const stream = await openStream("pipeline:demo/web-app");
    act(() => {
      stream.connect();
      stream.emit("builds", {
        project: "demo",
        pipeline: "web-app",
        changes: [
          change(rows[0]!, "SUCCEEDED", { from: "RUNNING" }),
          change(rows[1]!, "CANCELING", { from: "QUEUED" }),
        ],
      });
    });
    await vi.waitFor(() => expect(ticked()).toEqual(["Select build #12"]));
    expect(screen.getByRole("button", { name: "Re-run (1)" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Cancel selected (0)" })).toBeDisabled();
  });
});
describe("the history page's rows and toolbar", () => {
  it("shows status, branch, commit, trigger user and why a build was canceled", async () => {
    serve();
    await show();
    const row = screen.getByRole("link", { name: "#8" }).closest("tr")!;
    expect(row).toHaveTextContent("Canceled");
    expect(row).toHaveTextContent("by alice: bad push");
    expect(row).toHaveTextContent(rows[4]!.branch);
    expect(row).toHaveTextContent(rows[4]!.commit.slice(0, 7));
    expect(row).toHaveTextContent("alice");
  });

  it("shows a pushed build's commit line linked to the provider, its author and 'push by', a PR build's number, and 'by' for API builds", async () => {
    const trigger = {
      repository: "web",
      commitMessage: "Fix the login form\n\nLonger body text",
      commitAuthor: "Bob Smith",
    };
    serve({
      builds: {
        items: [
          build(12, "RUNNING", {
            triggeredBy: "alice",
            trigger: {
              ...trigger,
              kind: "push",
              pullRequest: null,
              commitUrl: "https://git.example/acme/web/commit/abc",
            },
          }),
          build(11, "QUEUED", { trigger: { ...trigger, kind: "pull_request", pullRequest: 12, commitUrl: null } }),
          build(10, "SUCCEEDED", { triggeredBy: "dev" }),
        ],
        nextCursor: null,
      },
    });
    await show();
    const pushed = screen.getByRole("link", { name: "#12" }).closest("tr")!;
    const line = within(pushed).getByRole("link", { name: "Fix the login form" });
    expect(line).toHaveAttribute("href", "https://git.example/acme/web/commit/abc");
    expect(pushed).not.toHaveTextContent("Longer body text");
    expect(pushed).toHaveTextContent("by Bob Smith");
    expect(pushed).toHaveTextContent("push by alice");
    const pr = screen.getByRole("link", { name: "#11" }).closest("tr")!;
    expect(pr).toHaveTextContent("PR #12");
    expect(pr).toHaveTextContent("Fix the login form");
    expect(within(pr).queryByRole("link", { name: "Fix the login form" })).not.toBeInTheDocument();
    const api = screen.getByRole("link", { name: "#10" }).closest("tr")!;
    expect(api).toHaveTextContent("by dev");
  });

  it("offers Cancel all running with the server's count of active builds, and sends it as a filter", async () => {
    serve();
    const { user, onBulkAction } = await show();
    await user.click(screen.getByRole("button", { name: "Cancel all running (40)" }));
    expect(onBulkAction).toHaveBeenCalledWith(
      { kind: "cancel", request: { filter: ALL_ACTIVE } },
      expect.any(Function),
    );
  });

  it("offers all but the newest per branch beside Cancel all running, and sends the filter with keepNewest", async () => {
    serve();
    const { user, onBulkAction } = await show();
    await user.click(screen.getByRole("button", { name: "… all but the newest per branch" }));
    expect(onBulkAction).toHaveBeenCalledWith(
      { kind: "cancel", request: { filter: { ...ALL_ACTIVE, keepNewest: { per: "branch", count: 1 } } } },
      expect.any(Function),
    );
  });

  it("lets someone who may not cancel or trigger tick nothing, and disables every bulk button, with the reason", async () => {
    serve({ permissions: { canRead: true, canTrigger: false, canCancel: false, canEdit: false, canAudit: false } });
    const { user } = await show();
    expect(screen.getByRole("button", { name: /Cancel selected/ })).toBeDisabled();
    expect(screen.getByRole("button", { name: /Re-run/ })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Cancel all running (40)" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "… all but the newest per branch" })).toBeDisabled();
    expect(screen.getByText("You need the developer role in this project to cancel builds.")).toBeInTheDocument();
    await vi.waitFor(() => expect(box(12)).toBeDisabled());
    expect(box(11)).toBeDisabled();
    expect(box(10)).toBeDisabled();
    expect(screen.getByRole("checkbox", { name: "Select all active builds on this page" })).toBeDisabled();
    await user.hover(box(12).closest("span[class]")!.parentElement!);
    expect(await screen.findByRole("tooltip")).toHaveTextContent(
      "You need the developer role in this project to cancel builds.",
    );
    await user.hover(screen.getByRole("button", { name: /Re-run/ }).parentElement!);
    expect(
      await screen.findByText("You need the developer role in this project to re-run builds."),
    ).toBeInTheDocument();
    expect(screen.queryByText(/selected$/)).not.toBeInTheDocument();
  });

  it("with 2,000 loaded rows renders only those near the viewport, and the header ticks all 2,000", async () => {
    const many = Array.from({ length: 2000 }, (_, i) => build(2000 - i, i % 3 === 0 ? "QUEUED" : "RUNNING"));
    mockApi({ [`GET ${HISTORY}`]: () => historyPage(many) });
    const user = userEvent.setup();
    await renderPage(<PipelineHistory project="demo" pipeline="web-app" onBulkAction={vi.fn()} />);
    await screen.findByRole("link", { name: "#2000" });
    const rendered = screen.getAllByRole("checkbox", { name: /^Select build #/ });
    expect(rendered.length).toBeGreaterThan(10);
    expect(rendered.length).toBeLessThan(100);
    expect(screen.getByRole("table", { name: "Builds" })).toHaveAttribute("aria-rowcount", "2001");
    await user.click(screen.getByRole("checkbox", { name: "Select all active builds on this page" }));
    expect(screen.getByRole("button", { name: "Cancel selected (2000)" })).toBeEnabled();
    expect(ticked()).toHaveLength(rendered.length);
  });

  it("disables Cancel all running when nothing is active", async () => {
    serve({ counts: historyPage([]).counts });
    await show();
    expect(screen.getByRole("button", { name: "Cancel all running (0)" })).toBeDisabled();
  });

  it("under a branch and status filter, counts the matching active builds and sends the filters whole, without paging through history", async () => {
    const matching = [build(12, "RUNNING"), build(10, "RUNNING")];
    const api = mockApi({
      [`GET ${HISTORY}`]: () =>
        historyPage(matching, { counts: { ...historyPage([]).counts, RUNNING: 70, QUEUED: 5, SUCCEEDED: 3 } }),
    });
    const { user, onBulkAction } = await show("/projects/demo/pipelines/web-app?branch=main&status=RUNNING,SUCCEEDED");
    await user.click(await screen.findByRole("button", { name: "Cancel all running (70)" }));
    expect(onBulkAction).toHaveBeenLastCalledWith(
      { kind: "cancel", request: { filter: { status: ["RUNNING"], branch: "main" } } },
      expect.any(Function),
    );

    await user.click(screen.getByRole("checkbox", { name: "Select all active builds on this page" }));
    await user.click(screen.getByRole("button", { name: "Select all 70 matching active builds" }));
    expect(screen.getByText("All 70 matching active builds are selected.")).toBeInTheDocument();
    await user.click(box(10));
    await user.click(screen.getByRole("button", { name: "Cancel selected (69)" }));
    expect(onBulkAction).toHaveBeenLastCalledWith(
      { kind: "cancel", request: { filter: { status: ["RUNNING"], branch: "main" }, excludeBuildIds: [1010] } },
      expect.any(Function),
    );
    // Only the rows' own pages were asked for: nothing collects ids page by page.
    expect(
      api.callsTo("GET", HISTORY).every((c) => c.query.get("limit") === "50" || c.query.get("limit") === "1"),
    ).toBe(true);
  });

  it("keeps the status and branch filters in the URL and asks the server for them", async () => {
    const api = serve();
    const { user, router } = await show();
    await user.type(screen.getByRole("combobox", { name: "Branch" }), "main");
    await vi.waitFor(() => expect(router.state.location.search).toBe("?branch=main"));
    await user.click(screen.getByRole("combobox", { name: "Status" }));
    await user.click(await screen.findByRole("option", { name: "Running (25)" }));
    await vi.waitFor(() => expect(router.state.location.search).toBe("?branch=main&status=RUNNING"));
    await vi.waitFor(() =>
      expect(
        api
          .callsTo("GET", HISTORY)
          .some((c) => c.query.get("status") === "RUNNING" && c.query.get("branch") === "main"),
      ).toBe(true),
    );
    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(router.state.location.search).toBe("");
    expect(screen.getByRole("combobox", { name: "Branch" })).toHaveValue("");
  });

  it("filters by what triggered the builds and by pull request number, in the URL and asked of the server; Cancel all running then sends both in the filter", async () => {
    const api = serve();
    const { user, router, onBulkAction } = await show();
    expect(screen.getByRole("button", { name: "Cancel all running (40)" })).toBeEnabled();
    await user.click(screen.getByRole("combobox", { name: "Triggered by" }));
    await user.click(await screen.findByRole("option", { name: "Push" }));
    await vi.waitFor(() => expect(router.state.location.search).toBe("?trigger=push"));
    await user.type(screen.getByRole("spinbutton", { name: "Pull request" }), "12");
    await vi.waitFor(() => expect(router.state.location.search).toBe("?trigger=push&pr=12"));
    await vi.waitFor(() =>
      expect(
        api
          .callsTo("GET", HISTORY)
          .some((c) => c.query.get("trigger") === "push" && c.query.get("pullRequest") === "12"),
      ).toBe(true),
    );
    // The page cannot count builds by trigger; the cancel's preview does.
    await user.click(screen.getByRole("button", { name: "Cancel all running that match" }));
    expect(onBulkAction).toHaveBeenLastCalledWith(
      { kind: "cancel", request: { filter: { status: ["QUEUED", "RUNNING"], trigger: "push", pullRequest: 12 } } },
      expect.any(Function),
    );
    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(router.state.location.search).toBe("");
    expect(screen.getByRole("spinbutton", { name: "Pull request" })).toHaveValue("");
  });

  it("hands the caller's running operations over once, so their toasts come back after a reload", async () => {
    const running = operation({ id: "op-9", total: 4 });
    serve({ operations: [running, { ...running, id: "op-8", status: "completed" }] });
    const onRunningOperations = vi.fn();
    const page = await renderPage(
      <PipelineHistory
        project="demo"
        pipeline="web-app"
        onBulkAction={vi.fn()}
        onRunningOperations={onRunningOperations}
      />,
    );
    await screen.findByRole("link", { name: "#12" });
    await vi.waitFor(() => expect(onRunningOperations).toHaveBeenCalledWith([running]));
    await act(() => page.queryClient.refetchQueries());
    expect(onRunningOperations).toHaveBeenCalledTimes(1);
  });

  it("says so when no build matches the filters", async () => {
    mockApi({ [`GET ${HISTORY}`]: () => historyPage([]) });
    await renderPage(<PipelineHistory project="demo" pipeline="web-app" onBulkAction={vi.fn()} />, {
      url: "/projects/demo/pipelines/web-app?status=FAILED",
    });
    expect(await screen.findByText("No builds match these filters.")).toBeInTheDocument();
  });

  it("shows the server's error, by its code in the page's words, with a way to try again", async () => {
    mockApi({
      [`GET ${HISTORY}`]: () =>
        jsonResponse(404, { error: { code: "pipeline_not_found", message: 'Pipeline "web-app" not found' } }),
    });
    await renderPage(<PipelineHistory project="demo" pipeline="web-app" onBulkAction={vi.fn()} />);
    expect(await screen.findByRole("alert")).toHaveTextContent("This pipeline does not exist.");
    expect(screen.getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });
});
