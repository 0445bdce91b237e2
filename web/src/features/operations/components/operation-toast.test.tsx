import type { Operation } from "@common/dto.ts";
import { QueryClientProvider } from "@tanstack/react-query";
import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ConfigProvider } from "antd";
import { createMemoryRouter, Link, Outlet, RouterProvider } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../../../lib/i18n/i18n-provider.tsx";
import { loadLanguage } from "../../../lib/i18n/languages.ts";
import { NotificationsProvider } from "../../../lib/notifications.tsx";
import { followedTopics, openStream } from "../../../test/fake-stream.ts";
import { operation } from "../../../test/fixtures.ts";
import { mockApi } from "../../../test/mock-api.ts";
import { testQueryClient } from "../../../test/render.tsx";
import { useOperationTracker } from "../hooks/use-operation-tracker.ts";
import { OperationTrackerProvider } from "./operation-tracker-provider.tsx";

const TOPIC = "operation:op-1";

function StartButton({ op }: { op: Operation }) {
  const { track } = useOperationTracker();
  return (
    <button type="button" onClick={() => track(op)}>
      start
    </button>
  );
}

/** The tracker at the root, as in the app, with two pages to move between. */
async function renderApp(op: Operation, opts: { completeAtOnce?: Operation } = {}) {
  const english = await loadLanguage("en");
  const router = createMemoryRouter([
    {
      element: (
        <NotificationsProvider>
          <OperationTrackerProvider>
            <Outlet />
          </OperationTrackerProvider>
        </NotificationsProvider>
      ),
      children: [
        {
          path: "/",
          element: (
            <>
              <StartButton op={op} />
              <Link to="/elsewhere">elsewhere</Link>
            </>
          ),
        },
        { path: "/elsewhere", element: <p>another page</p> },
        { path: "/operations/:id", element: <p>operation page</p> },
      ],
    },
  ]);
  const queryClient = testQueryClient();
  render(
    <QueryClientProvider client={queryClient}>
      <I18nProvider initial={english}>
        <ConfigProvider theme={{ zeroRuntime: true }}>
          <RouterProvider router={router} />
        </ConfigProvider>
      </I18nProvider>
    </QueryClientProvider>,
  );
  const user = userEvent.setup();
  await user.click(screen.getByRole("button", { name: "start" }));
  // The pipeline's stream may complete it before the toast is on screen.
  if (opts.completeAtOnce) queryClient.setQueryData(["operation", op.id], { operation: opts.completeAtOnce });
  return { user, router, queryClient };
}

const progress = (canceled: number, alreadyFinished: number, failed: number, pending: number) =>
  operation({
    total: 50,
    counts: { canceled, alreadyFinished, failed, pending, protected: 0, created: 0, skipped: 0 },
  });

describe("the cancellation progress toast", () => {
  it("counts up from the operation's events and ends with a summary and a link", async () => {
    const { user, router } = await renderApp(operation({ total: 50 }));
    const toast = (await screen.findByText("Canceling 50 builds…")).closest(".ant-notification-notice") as HTMLElement;
    expect(within(toast).getByRole("progressbar", { name: "Cancellation progress" })).toHaveAttribute(
      "aria-valuenow",
      "0",
    );

    const stream = await openStream(TOPIC);
    act(() => {
      stream.connect();
      stream.emit("operation", { operation: progress(18, 2, 0, 30) });
    });
    await vi.waitFor(() => expect(within(toast).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "40"));
    expect(toast).toHaveTextContent("20 of 50 done");

    act(() => stream.emit("operation", { operation: { ...progress(48, 2, 0, 0), status: "completed" } }));
    expect(await screen.findByText("48 canceled · 2 had already finished · 0 failed")).toBeInTheDocument();
    expect(screen.getByText("Cancellation complete")).toBeInTheDocument();
    await vi.waitFor(() => expect(followedTopics()).not.toContain(TOPIC));

    await user.click(screen.getByRole("link", { name: "View operation" }));
    expect(router.state.location.pathname).toBe("/operations/op-1");
  });

  it("says how many builds are slow to stop, with the link to the operation, while it has stuck ones", async () => {
    const { user, router } = await renderApp(operation({ total: 3 }));
    const toast = (await screen.findByText("Canceling 3 builds…")).closest(".ant-notification-notice") as HTMLElement;
    expect(toast).not.toHaveTextContent("slow to stop");

    const stream = await openStream(TOPIC);
    act(() => {
      stream.connect();
      stream.emit("operation", { operation: { ...operation({ total: 3 }), stuck: 3 } });
    });
    expect(await within(toast).findByText("3 builds are slow to stop")).toBeInTheDocument();
    act(() => stream.emit("operation", { operation: { ...operation({ total: 3 }), stuck: 1 } }));
    expect(await within(toast).findByText("1 build is slow to stop")).toBeInTheDocument();
    act(() => stream.emit("operation", { operation: { ...operation({ total: 3 }), stuck: 0 } }));
    await vi.waitFor(() => expect(toast).not.toHaveTextContent("slow to stop"));

    await user.click(within(toast).getByRole("link", { name: "View operation" }));
    expect(router.state.location.pathname).toBe("/operations/op-1");
  });

  it("stays and keeps counting while the user moves to another page", async () => {
    const { user } = await renderApp(operation({ total: 50 }));
    await screen.findByText("Canceling 50 builds…");
    await user.click(screen.getByRole("link", { name: "elsewhere" }));
    expect(screen.getByText("another page")).toBeInTheDocument();

    const stream = await openStream(TOPIC);
    act(() => {
      stream.connect();
      stream.emit("operation", { operation: progress(40, 0, 0, 10) });
    });
    await vi.waitFor(() => expect(screen.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "80"));
    expect(screen.getByText("Canceling 50 builds…")).toBeInTheDocument();
  });

  it("turns failures into an error with their reasons and a retry that forces the stop", async () => {
    const api = mockApi({
      "GET /api/operations/op-1/items": () => ({
        items: [
          {
            buildId: 1041,
            buildNumber: 41,
            pipeline: "web-app",
            branch: "main",
            outcome: "failed",
            note: "agent_unresponsive",
            status: "CANCELING",
          },
          {
            buildId: 1040,
            buildNumber: 40,
            pipeline: "web-app",
            branch: "main",
            outcome: "failed",
            note: null,
            status: "CANCELING",
          },
        ],
        nextCursor: null,
      }),
      "POST /api/projects/demo/pipelines/web-app/cancellations": () => ({
        operation: operation({ id: "op-2", total: 2 }),
      }),
    });
    const { user } = await renderApp(operation({ total: 50 }));
    await screen.findByText("Canceling 50 builds…");
    const stream = await openStream(TOPIC);
    act(() => {
      stream.connect();
      stream.emit("operation", { operation: { ...progress(46, 2, 2, 0), status: "completed" } });
    });

    expect(await screen.findByText("2 builds could not be stopped")).toBeInTheDocument();
    expect(screen.getByText("46 canceled · 2 had already finished · 2 failed")).toBeInTheDocument();
    expect(await screen.findByText("#41: the agent did not confirm the stop")).toBeInTheDocument();
    expect(screen.getByText("#40: no reason given")).toBeInTheDocument();
    expect(api.callsTo("GET", "/api/operations/op-1/items")[0]!.query.get("outcome")).toBe("failed");

    await user.click(screen.getByRole("button", { name: "Retry 2 builds" }));
    const [retry] = api.callsTo("POST", "/api/projects/demo/pipelines/web-app/cancellations");
    expect(retry!.body).toEqual({ buildIds: [1041, 1040], force: true });
    expect(retry!.headers.get("Idempotency-Key")).toBeTruthy();
    expect(await screen.findByText("Canceling 2 builds…")).toBeInTheDocument();
    expect(screen.queryByText("2 builds could not be stopped")).not.toBeInTheDocument();
  });

  it("a re-run, complete when accepted, shows its summary at once and offers no retry", async () => {
    const counts = { canceled: 0, alreadyFinished: 0, failed: 0, pending: 0, protected: 0, created: 3, skipped: 1 };
    await renderApp(operation({ kind: "rerun", status: "completed", total: 4, counts }));
    expect(await screen.findByText("Re-run complete")).toBeInTheDocument();
    expect(screen.getByText("3 new builds · 1 skipped · 0 failed")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Retry/ })).not.toBeInTheDocument();
  });

  it("says how many protected builds a cancel left running", async () => {
    const counts = { canceled: 2, alreadyFinished: 0, failed: 0, pending: 0, protected: 1, created: 0, skipped: 0 };
    await renderApp(operation({ status: "completed", total: 3, counts }));
    expect(
      await screen.findByText("2 canceled · 0 had already finished · 0 failed · 1 protected, left running"),
    ).toBeInTheDocument();
  });

  it("a cancel that canceled nothing (every build protected) is a warning, not a green success", async () => {
    const counts = { canceled: 0, alreadyFinished: 0, failed: 0, pending: 0, protected: 2, created: 0, skipped: 0 };
    await renderApp(operation({ status: "completed", total: 2, counts }));
    const title = await screen.findByText("Nothing was canceled");
    const toast = title.closest(".ant-notification-notice") as HTMLElement;
    expect(toast.className).toMatch(/warning/);
    expect(toast).toHaveTextContent("0 canceled · 0 had already finished · 0 failed · 2 protected, left running");
    expect(screen.queryByText("Cancellation complete")).not.toBeInTheDocument();
  });

  it("a cancel that ends at once, before its toast is up, still shows its progress first, then the summary", async () => {
    const done = { ...progress(50, 0, 0, 0), status: "completed" as const };
    await renderApp(operation({ total: 50 }), { completeAtOnce: done });
    expect(await screen.findByText("Canceling 50 builds…")).toBeInTheDocument();
    expect(await screen.findByText("Cancellation complete")).toBeInTheDocument();
    expect(screen.getByText("50 canceled · 0 had already finished · 0 failed")).toBeInTheDocument();
  });
});
