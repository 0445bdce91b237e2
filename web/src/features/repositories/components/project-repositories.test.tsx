import type { HookDelivery, Repository } from "@common/contract/repositories.ts";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { mockApi } from "../../../test/mock-api.ts";
import { renderPage } from "../../../test/render.tsx";
import { ProjectRepositories } from "./project-repositories.tsx";

const LIST = "/api/projects/demo/repositories";
const DELIVERIES = "/api/projects/demo/repositories/web/deliveries";

const repository: Repository = {
  project: "demo",
  name: "web",
  url: "/srv/git/web.git",
  provider: "generic",
  fullName: null,
  apiUrl: null,
  webUrl: null,
  statuses: false,
  credentialsSet: false,
  hookUrl: "http://127.0.0.1:8081/v1/hooks/demo/web",
  hookSecretRotatedAt: "2024-05-01T09:00:00.000Z",
  createdAt: "2024-05-01T09:00:00.000Z",
  updatedAt: "2024-05-01T09:00:00.000Z",
};

function delivery(id: number, overrides: Partial<HookDelivery>): HookDelivery {
  return {
    id,
    deliveryId: `d-${id}`,
    provider: "generic",
    event: "push",
    action: null,
    branch: "main",
    commit: "a".repeat(40),
    pullRequest: null,
    sender: "alice",
    status: "processed",
    reason: null,
    effects: { created: [], operationId: null, canceled: 0 },
    receivedAt: "2024-05-01T10:00:00.000Z",
    processedAt: "2024-05-01T10:00:01.000Z",
    redeliveryOf: null,
    redeliveredBy: null,
    ...overrides,
  };
}

const deliveries = [
  delivery(3, {
    effects: { created: [{ buildId: 1002, pipeline: "push", number: 2 }], operationId: "op-7", canceled: 1 },
  }),
  delivery(2, {
    event: "branch_deleted",
    branch: "feature/x",
    commit: null,
    effects: { created: [], operationId: "op-6", canceled: 3 },
  }),
  delivery(1, {
    event: "pull_request",
    action: "closed",
    pullRequest: 12,
    status: "ignored",
    reason: "no active build",
  }),
];

function serve() {
  return mockApi({
    [`GET ${LIST}`]: () => ({ items: [repository] }),
    [`GET ${DELIVERIES}`]: () => ({ items: deliveries, nextCursor: null }),
    [`POST /api/projects/demo/repositories/web/hook-secret`]: () =>
      new Response(
        JSON.stringify({
          ...repository,
          hookSecret: "new-secret-9f8e7d",
          hookSecretRotatedAt: "2024-05-01T11:00:00.000Z",
        }),
        { status: 201, headers: { "Content-Type": "application/json" } },
      ),
  });
}

describe("the project's repositories", () => {
  it("shows each repository's hook URL and its recent deliveries with what each did", async () => {
    serve();
    await renderPage(<ProjectRepositories project="demo" />);
    const section = await screen.findByRole("region", { name: "Repositories" });
    expect(await within(section).findByText(repository.hookUrl)).toBeInTheDocument();
    const log = await screen.findByRole("table", { name: "Recent deliveries of web" });
    const rows = await within(log).findAllByRole("row");
    const push = rows.find((r) => r.textContent?.includes("Push"))!;
    expect(within(push).getByRole("link", { name: "push #2" })).toHaveAttribute(
      "href",
      "/projects/demo/pipelines/push/builds/2",
    );
    expect(within(push).getByRole("link", { name: "canceled 1 build" })).toHaveAttribute("href", "/operations/op-7");
    const deleted = rows.find((r) => r.textContent?.includes("Branch deleted"))!;
    expect(deleted).toHaveTextContent("feature/x");
    expect(within(deleted).getByRole("link", { name: "canceled 3 builds" })).toHaveAttribute(
      "href",
      "/operations/op-6",
    );
    const closed = rows.find((r) => r.textContent?.includes("Pull request"))!;
    expect(closed).toHaveTextContent("#12 closed");
    expect(closed).toHaveTextContent("Ignored");
    expect(closed).toHaveTextContent("no active build");
  });

  it("redelivers a processed delivery after a confirmation, shows the new one as its redelivery, and offers none for one still processing", async () => {
    const redelivery = delivery(4, {
      deliveryId: "redelivery-1",
      status: "pending",
      processedAt: null,
      redeliveryOf: 3,
      redeliveredBy: "maria",
    });
    let log = deliveries;
    const api = mockApi({
      [`GET ${LIST}`]: () => ({ items: [repository] }),
      [`GET ${DELIVERIES}`]: () => ({ items: log, nextCursor: null }),
      [`POST ${DELIVERIES}/3/redeliver`]: () => {
        log = [redelivery, ...deliveries];
        return new Response(JSON.stringify(redelivery), {
          status: 202,
          headers: { "Content-Type": "application/json" },
        });
      },
    });
    const user = userEvent.setup();
    await renderPage(<ProjectRepositories project="demo" />);
    await user.click(await screen.findByRole("button", { name: "Redeliver #3" }));
    expect(await screen.findByText("Process this delivery again?")).toBeInTheDocument();
    expect(api.callsTo("POST", `${DELIVERIES}/3/redeliver`)).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Redeliver" }));
    await vi.waitFor(() => expect(api.callsTo("POST", `${DELIVERIES}/3/redeliver`)).toHaveLength(1));
    expect(await screen.findByText("Queued again as a new delivery.")).toBeInTheDocument();
    const table = screen.getByRole("table", { name: "Recent deliveries of web" });
    const row = (await within(table).findByText("Redelivery of #3 by maria")).closest("tr")!;
    expect(within(row).getByText("Processing")).toBeInTheDocument();
    expect(within(row).getByRole("button", { name: "Redeliver" })).toBeDisabled();
  });

  it("rotates the hook secret after a confirmation and shows the new one once, never keeping it in the list", async () => {
    const api = serve();
    const user = userEvent.setup();
    const { queryClient } = await renderPage(<ProjectRepositories project="demo" />);
    await screen.findByText(repository.hookUrl);
    expect(screen.queryByText("New hook secret: shown this once")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Rotate secret" }));
    // The confirmation's own button (the popover renders after the card's).
    await vi.waitFor(() => expect(screen.getAllByRole("button", { name: "Rotate secret" })).toHaveLength(2));
    expect(api.callsTo("POST", "/api/projects/demo/repositories/web/hook-secret")).toHaveLength(0);
    await user.click(screen.getAllByRole("button", { name: "Rotate secret" })[1]!);
    expect(await screen.findByText("new-secret-9f8e7d")).toBeInTheDocument();
    expect(screen.getByText("New hook secret: shown this once")).toBeInTheDocument();
    expect(api.callsTo("POST", "/api/projects/demo/repositories/web/hook-secret")).toHaveLength(1);
    expect(JSON.stringify(queryClient.getQueryData(["repositories", "demo"]))).not.toContain("new-secret-9f8e7d");
  });
});
