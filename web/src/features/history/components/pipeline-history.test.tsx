import { act, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { HistoryResponse } from "../../../../../common/bff-api.ts";
import { FakeEventSource } from "../../../test/fake-event-source.ts";
import { build, change, historyPage, operation } from "../../../test/fixtures.ts";
import { type ApiCall, jsonResponse, mockApi } from "../../../test/mock-api.ts";
import { findDialog, renderPage } from "../../../test/render.tsx";
import { PipelineHistory } from "./pipeline-history.tsx";

const HISTORY = "/api/projects/demo/pipelines/web-app/history";
const EVENTS = "/api/projects/demo/pipelines/web-app/events";

// Newest first. 40 builds are active across all pages; six rows are on screen.
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
  const response = historyPage(rows, { activeCount: 40, ...page });
  return mockApi({ [`GET ${HISTORY}`]: (_call: ApiCall) => response });
}

async function show(onCancel = vi.fn(async () => {})) {
  const user = userEvent.setup();
  const page = await renderPage(<PipelineHistory project="demo" pipeline="web-app" onCancel={onCancel} />, {
    url: "/projects/demo/pipelines/web-app",
  });
  await screen.findByRole("link", { name: "#12" });
  return { user, onCancel, ...page };
}

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

  it("lets only queued and running builds be ticked; the others say why", async () => {
    const { user } = await show();
    expect(box(12)).toBeEnabled();
    expect(box(11)).toBeEnabled();
    expect(box(10)).toBeDisabled();
    expect(box(8)).toBeDisabled();
    expect(box(7)).toBeDisabled();
    await user.hover(box(10).closest("span[class]")!.parentElement!);
    expect(await screen.findByRole("tooltip")).toHaveTextContent("Already finished (Succeeded): nothing to cancel");
  });

  it("ticks the range between two clicks when the second is a shift-click, skipping finished builds", async () => {
    const { user } = await show();
    await user.click(box(12));
    await user.keyboard("{Shift>}");
    await user.click(box(9));
    await user.keyboard("{/Shift}");
    expect(ticked()).toEqual(["Select build #12", "Select build #11", "Select build #9"]);
    expect(screen.getByRole("button", { name: "Cancel selected (3)" })).toBeEnabled();
  });

  it("the header checkbox ticks the active builds on the page, then offers all of them across pages", async () => {
    const onCancel = vi.fn(async () => {});
    const { user } = await show(onCancel);
    await user.click(screen.getByRole("checkbox", { name: "Select all active builds on this page" }));
    expect(ticked()).toEqual(["Select build #12", "Select build #11", "Select build #9"]);
    expect(screen.getByText("All 3 active builds on this page are selected.")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Select all 40 active builds" }));
    expect(screen.getByText("All 40 active builds are selected.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Cancel selected (40)" }));

    const dialog = await findDialog("Cancel 40 builds?");
    expect(dialog).toHaveTextContent("37 of these builds are not on this page.");
    await user.click(within(dialog).getByRole("button", { name: "Cancel 40 builds" }));
    expect(onCancel).toHaveBeenCalledWith({ allActive: true, reason: undefined }, expect.any(String));
  });

  it("sends the ticked ids, and clears the selection once the cancel is accepted", async () => {
    const onCancel = vi.fn(async () => {});
    const { user } = await show(onCancel);
    await user.click(box(12));
    await user.click(box(9));
    await user.click(screen.getByRole("button", { name: "Cancel selected (2)" }));
    const dialog = await findDialog("Cancel 2 builds?");
    expect(dialog).toHaveTextContent("2 running, 0 queued");
    expect(dialog).not.toHaveTextContent("not on this page");
    await user.type(within(dialog).getByLabelText("Reason (optional)"), "bad push");
    await user.click(within(dialog).getByRole("button", { name: "Cancel 2 builds" }));
    expect(onCancel).toHaveBeenCalledWith({ buildIds: [1012, 1009], reason: "bad push" }, expect.any(String));
    expect(ticked()).toEqual([]);
  });

  it("forgets builds that finish while ticked and keeps the rest", async () => {
    const { user } = await show();
    await user.click(box(12));
    await user.click(box(11));
    const stream = FakeEventSource.open(EVENTS);
    act(() => {
      stream.connect();
      stream.emit("builds", { pipeline: "web-app", changes: [change(rows[0]!, "SUCCEEDED", { from: "RUNNING" })] });
    });
    await vi.waitFor(() => expect(ticked()).toEqual(["Select build #11"]));
    expect(box(12)).toBeDisabled();
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

  it("offers Cancel all running with the server's count of active builds", async () => {
    serve();
    const { user, onCancel } = await show();
    await user.click(screen.getByRole("button", { name: "Cancel all running (40)" }));
    const dialog = await findDialog("Cancel 40 builds?");
    expect(dialog).toHaveTextContent("2 running, 1 queued");
    await user.click(within(dialog).getByRole("button", { name: "Cancel 40 builds" }));
    expect(onCancel).toHaveBeenCalledWith({ allActive: true, reason: undefined }, expect.any(String));
  });

  it("lets someone who may not cancel tick nothing, and disables both cancel buttons, with the reason", async () => {
    serve({ permissions: { canRead: true, canTrigger: false, canCancel: false, canEdit: false, canAudit: false } });
    const { user } = await show();
    expect(screen.getByRole("button", { name: /Cancel selected/ })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Cancel all running (40)" })).toBeDisabled();
    expect(screen.getByText("You need the developer role in this project to cancel builds.")).toBeInTheDocument();
    await vi.waitFor(() => expect(box(12)).toBeDisabled());
    expect(box(11)).toBeDisabled();
    expect(screen.getByRole("checkbox", { name: "Select all active builds on this page" })).toBeDisabled();
    await user.hover(box(12).closest("span[class]")!.parentElement!);
    expect(await screen.findByRole("tooltip")).toHaveTextContent(
      "You need the developer role in this project to cancel builds.",
    );
    expect(screen.queryByText(/selected$/)).not.toBeInTheDocument();
  });

  it("with 2,000 loaded rows renders only those near the viewport, and the header ticks all 2,000", async () => {
    const many = Array.from({ length: 2000 }, (_, i) => build(2000 - i, i % 3 === 0 ? "QUEUED" : "RUNNING"));
    mockApi({ [`GET ${HISTORY}`]: () => historyPage(many) });
    const user = userEvent.setup();
    await renderPage(<PipelineHistory project="demo" pipeline="web-app" onCancel={vi.fn()} />);
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
    serve({ activeCount: 0 });
    await show();
    expect(screen.getByRole("button", { name: "Cancel all running (0)" })).toBeDisabled();
  });

  it("under a filter, lists the matching active builds and cancels them by id, not all of the pipeline's", async () => {
    const matching = [build(12, "RUNNING"), build(9, "RUNNING"), build(3, "QUEUED")];
    const api = mockApi({
      [`GET ${HISTORY}`]: (call) =>
        call.query.get("status") === "QUEUED,RUNNING"
          ? historyPage(matching)
          : historyPage(
              rows.filter((b) => b.branch === "main"),
              { activeCount: 40 },
            ),
    });
    const onCancel = vi.fn(async () => {});
    const user = userEvent.setup();
    await renderPage(<PipelineHistory project="demo" pipeline="web-app" onCancel={onCancel} />, {
      url: "/projects/demo/pipelines/web-app?branch=main",
    });
    await screen.findByRole("link", { name: "#12" });
    await user.click(screen.getByRole("button", { name: /Cancel all running/ }));
    const dialog = await findDialog("Cancel 3 builds?");
    expect(
      api
        .callsTo("GET", HISTORY)
        .some((c) => c.query.get("branch") === "main" && c.query.get("status") === "QUEUED,RUNNING"),
    ).toBe(true);
    await user.click(within(dialog).getByRole("button", { name: "Cancel 3 builds" }));
    expect(onCancel).toHaveBeenCalledWith({ buildIds: [1012, 1009, 1003], reason: undefined }, expect.any(String));
  });

  it("keeps the status and branch filters in the URL and asks the server for them", async () => {
    const api = serve();
    const { user, router } = await show();
    await user.type(screen.getByRole("combobox", { name: "Branch" }), "main");
    await vi.waitFor(() => expect(router.state.location.search).toBe("?branch=main"));
    await user.click(screen.getByRole("combobox", { name: "Status" }));
    await user.click(await screen.findByRole("option", { name: "Running (2)" }));
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

  it("hands the caller's running operations over once, so their toasts come back after a reload", async () => {
    const running = operation({ id: "op-9", total: 4 });
    serve({ operations: [running, { ...running, id: "op-8", status: "completed" }] });
    const onRunningOperations = vi.fn();
    const page = await renderPage(
      <PipelineHistory
        project="demo"
        pipeline="web-app"
        onCancel={vi.fn()}
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
    await renderPage(<PipelineHistory project="demo" pipeline="web-app" onCancel={vi.fn()} />, {
      url: "/projects/demo/pipelines/web-app?status=FAILED",
    });
    expect(await screen.findByText("No builds match these filters.")).toBeInTheDocument();
  });

  it("shows the server's error, by its code in the page's words, with a way to try again", async () => {
    mockApi({
      [`GET ${HISTORY}`]: () =>
        jsonResponse(404, { error: { code: "pipeline_not_found", message: 'Pipeline "web-app" not found' } }),
    });
    await renderPage(<PipelineHistory project="demo" pipeline="web-app" onCancel={vi.fn()} />);
    expect(await screen.findByRole("alert")).toHaveTextContent("This pipeline does not exist.");
    expect(screen.getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });
});
