import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { operation } from "../../../test/fixtures.ts";
import { mockApi } from "../../../test/mock-api.ts";
import { renderPage } from "../../../test/render.tsx";
import { OperationDetails } from "./operation-details.tsx";

const completedCancel = (overrides: Parameters<typeof operation>[0]) =>
  operation({
    status: "completed",
    completedAt: "2024-05-01T10:06:00.000Z",
    counts: { canceled: 13, alreadyFinished: 0, failed: 0, pending: 0, protected: 0, created: 0, skipped: 0 },
    ...overrides,
  });

function serve(ops: ReturnType<typeof operation>[]) {
  mockApi({
    ...Object.fromEntries(ops.map((op) => [`GET /api/operations/${op.id}`, () => ({ operation: op })])),
    ...Object.fromEntries(
      ops.map((op) => [`GET /api/operations/${op.id}/items`, () => ({ items: [], nextCursor: null })]),
    ),
  });
}

describe("an operation's page and its re-run", () => {
  it("a running cancel with stuck builds says how many are slow to stop", async () => {
    serve([operation({ total: 3, stuck: 2 })]);
    await renderPage(<OperationDetails id="op-1" canRerun />);
    expect(await screen.findByText("2 builds are slow to stop")).toBeInTheDocument();
  });

  it("a cancel not re-run yet offers the re-run", async () => {
    serve([completedCancel({ total: 13 })]);
    await renderPage(<OperationDetails id="op-1" canRerun />);
    expect(await screen.findByRole("button", { name: /Re-run what this canceled/ })).toBeEnabled();
  });

  it("a cancel re-run already links to its re-run instead of offering it again", async () => {
    serve([completedCancel({ total: 13, rerunBy: "op-2" })]);
    await renderPage(<OperationDetails id="op-1" canRerun />);
    expect(await screen.findByRole("link", { name: /View its re-run/ })).toHaveAttribute("href", "/operations/op-2");
    expect(screen.getByRole("link", { name: "the re-run of these builds" })).toHaveAttribute(
      "href",
      "/operations/op-2",
    );
    expect(screen.queryByRole("button", { name: /Re-run what this canceled/ })).not.toBeInTheDocument();
  });

  it("a re-run links back to the operation whose builds it ran again", async () => {
    serve([
      operation({
        id: "op-2",
        kind: "rerun",
        status: "completed",
        total: 13,
        rerunOf: "op-1",
        completedAt: "2024-05-01T10:06:00.000Z",
      }),
    ]);
    await renderPage(<OperationDetails id="op-2" canRerun />);
    expect(await screen.findByRole("link", { name: "the operation that canceled them" })).toHaveAttribute(
      "href",
      "/operations/op-1",
    );
  });

  it("shows a repository operation's source with its event", async () => {
    serve([completedCancel({ total: 3, source: "repository", reason: "branch feature/x was deleted" })]);
    await renderPage(<OperationDetails id="op-1" canRerun />);
    expect(await screen.findByText("Repository: branch deleted")).toBeInTheDocument();
  });

  it("in 简体中文 a reason the concurrency policy wrote is shown in Chinese", async () => {
    serve([completedCancel({ total: 1, source: "concurrency", reason: "superseded by #3" })]);
    await renderPage(<OperationDetails id="op-1" canRerun />, { language: "zh-CN" });
    expect(await screen.findByText("被 #3 取代")).toBeInTheDocument();
    expect(screen.queryByText("superseded by #3")).not.toBeInTheDocument();
  });

  it("a cancel that canceled nothing (every build protected) is not shown as a green success", async () => {
    serve([
      completedCancel({
        total: 2,
        counts: { canceled: 0, alreadyFinished: 0, failed: 0, pending: 0, protected: 2, created: 0, skipped: 0 },
      }),
    ]);
    await renderPage(<OperationDetails id="op-1" canRerun />);
    const tag = (await screen.findAllByText("Completed"))[0]!.closest(".ant-tag") as HTMLElement;
    expect(tag.className).toMatch(/warning/);
    expect(tag.className).not.toMatch(/success/);
  });
});
