import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { operation } from "../../../test/fixtures.ts";
import { jsonResponse, mockApi } from "../../../test/mock-api.ts";
import { renderPage } from "../../../test/render.tsx";
import { OperationItemsTable } from "./operation-items-table.tsx";

describe("an operation's builds", () => {
  it.each([
    ["cancel", ["All", "Pending", "Canceled", "Already finished", "Failed", "Protected"]],
    ["rerun", ["All", "Pending", "Re-run", "Skipped", "Failed"]],
  ] as const)("a %s offers only its own outcomes to filter by", async (kind, outcomes) => {
    mockApi({ "GET /api/operations/op-1/items": () => ({ items: [], nextCursor: null }) });
    await renderPage(<OperationItemsTable id="op-1" project="demo" kind={kind} running={false} canForce={false} />);
    const filter = await screen.findByLabelText("Outcome");
    expect([...filter.querySelectorAll(".ant-segmented-item-label")].map((l) => l.textContent)).toEqual(outcomes);
  });

  it("a re-run's new builds are links to their number addresses", async () => {
    mockApi({
      "GET /api/operations/op-1/items": () => ({
        items: [
          {
            buildId: 7,
            buildNumber: 7,
            pipeline: "web-app",
            branch: "main",
            outcome: "created",
            note: "#63",
            status: "CANCELED",
          },
          {
            buildId: 8,
            buildNumber: 8,
            pipeline: "web-app",
            branch: "main",
            outcome: "skipped",
            note: "still_active",
            status: "RUNNING",
          },
        ],
        nextCursor: null,
      }),
    });
    await renderPage(<OperationItemsTable id="op-1" project="demo" kind="rerun" running={false} canForce={false} />);
    expect(await screen.findByRole("link", { name: "new build #63" })).toHaveAttribute(
      "href",
      "/projects/demo/pipelines/web-app/builds/63",
    );
    expect(screen.getByRole("link", { name: "#7" })).toHaveAttribute(
      "href",
      "/projects/demo/pipelines/web-app/builds/7",
    );
  });

  const stuckItem = {
    buildId: 1041,
    buildNumber: 41,
    pipeline: "web-app",
    branch: "main",
    outcome: "pending",
    note: null,
    status: "CANCELING",
    stuck: {
      agent: "builder-3",
      lastContactAt: new Date(Date.now() - 5 * 60_000).toISOString(),
      forceFinalizeAt: new Date(Date.now() + 25_000).toISOString(),
    },
  };

  it("a stuck build shows its agent, last contact and time left, and Force stop now sends its forced cancel after a confirmation", async () => {
    const api = mockApi({
      "GET /api/operations/op-1/items": () => ({
        items: [stuckItem, { ...stuckItem, buildId: 1042, buildNumber: 42, stuck: undefined }],
        nextCursor: null,
      }),
      "POST /api/projects/demo/pipelines/web-app/cancellations": () => ({
        operation: operation({ id: "op-2", total: 1 }),
      }),
    });
    await renderPage(<OperationItemsTable id="op-1" project="demo" kind="cancel" running canForce />);
    const row = (await screen.findByRole("link", { name: "#41" })).closest("tr") as HTMLElement;
    expect(within(row).getByText("on builder-3")).toBeInTheDocument();
    expect(row).toHaveTextContent("last contact 5 minutes ago");
    expect(row).toHaveTextContent("force-finalized in a few seconds");
    const other = screen.getByRole("link", { name: "#42" }).closest("tr") as HTMLElement;
    expect(within(other).queryByRole("button", { name: /Force stop/ })).not.toBeInTheDocument();

    const user = userEvent.setup();
    await user.click(within(row).getByRole("button", { name: "Force stop build #41 now" }));
    expect(api.callsTo("POST", "/api/projects/demo/pipelines/web-app/cancellations")).toHaveLength(0);
    const confirm = await screen.findByText(/Force stop build #41 now\? It is marked canceled at once/);
    await user.click(
      within(confirm.closest(".ant-popover") as HTMLElement).getByRole("button", { name: "Force stop now" }),
    );
    await vi.waitFor(() =>
      expect(api.callsTo("POST", "/api/projects/demo/pipelines/web-app/cancellations")).toHaveLength(1),
    );
    const [sent] = api.callsTo("POST", "/api/projects/demo/pipelines/web-app/cancellations");
    expect(sent!.body).toEqual({ buildIds: [1041], force: true });
    expect(sent!.headers.get("Idempotency-Key")).toBeTruthy();
  });

  it("shows a stuck build to someone who may not cancel without Force stop now", async () => {
    mockApi({ "GET /api/operations/op-1/items": () => ({ items: [stuckItem], nextCursor: null }) });
    await renderPage(<OperationItemsTable id="op-1" project="demo" kind="cancel" running canForce={false} />);
    expect(await screen.findByText("on builder-3")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Force stop/ })).not.toBeInTheDocument();
  });

  it("a refused Force stop now says why beside the button, in the page's words", async () => {
    mockApi({
      "GET /api/operations/op-1/items": () => ({ items: [stuckItem], nextCursor: null }),
      "POST /api/projects/demo/pipelines/web-app/cancellations": () =>
        jsonResponse(409, { error: { code: "already_finished", message: "server words" } }),
    });
    await renderPage(<OperationItemsTable id="op-1" project="demo" kind="cancel" running canForce />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Force stop build #41 now" }));
    const confirm = await screen.findByText(/Force stop build #41 now\? It is marked canceled at once/);
    await user.click(
      within(confirm.closest(".ant-popover") as HTMLElement).getByRole("button", { name: "Force stop now" }),
    );
    expect(await screen.findByRole("alert")).toHaveTextContent("Force stop failed: The build has already finished.");
  });
});
