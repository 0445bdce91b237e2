import type { PipelineSummary } from "@common/dto.ts";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { OperationTrackerContext } from "../../features/operations/hooks/use-operation-tracker.ts";
import { batchPreview, build, operation, projectAccess } from "../../test/fixtures.ts";
import { type ApiCall, mockApi } from "../../test/mock-api.ts";
import { findDialog, renderPage } from "../../test/render.tsx";
import { ProjectRoute } from "./project.tsx";

function pipeline(name: string, running: number, queued: number): PipelineSummary {
  return {
    project: "demo",
    name,
    createdAt: "2024-05-01T09:00:00.000Z",
    updatedAt: "2024-05-01T09:00:00.000Z",
    active: { running, queued, canceling: 0 },
    lastBuild: build(3, "RUNNING", { pipeline: name, branch: "main" }),
  };
}

function serve({ canCancel = true, canEdit = false } = {}) {
  const access = projectAccess({ canCancel, canEdit });
  return mockApi({
    "GET /api/me": () => ({ user: { username: "dev", isAdmin: false }, csrfToken: "c", projects: [access] }),
    "GET /api/projects/demo/pipelines": () => ({
      project: access,
      items: [pipeline("web-app", 2, 0), pipeline("deploy", 0, 1)],
    }),
    "POST /api/projects/demo/cancellations/preview": (call: ApiCall) => {
      const { filter } = call.body as { filter: { pipelines?: string[] } };
      return filter.pipelines ? batchPreview({ QUEUED: 1 }) : batchPreview({ RUNNING: 2, QUEUED: 1 });
    },
    "GET /api/projects/demo/repositories": () => ({ items: [] }),
    "POST /api/projects/demo/cancellations": () => ({
      operation: operation({ scope: "project", pipeline: null, total: 1 }),
    }),
  });
}

async function show() {
  const track = vi.fn();
  const user = userEvent.setup();
  await renderPage(
    <OperationTrackerContext value={{ track }}>
      <ProjectRoute />
    </OperationTrackerContext>,
    { url: "/projects/demo", path: "/projects/:project" },
  );
  await screen.findByRole("link", { name: "web-app" });
  return { user, track };
}

describe("the project page", () => {
  it("cancels running builds across pipelines: choose branch and pipelines, read the preview, confirm with its snapshot", async () => {
    const api = serve();
    const { user, track } = await show();
    await user.click(await screen.findByRole("button", { name: "Cancel running builds…" }));
    const dialog = await vi.waitFor(() => findDialog("Cancel 3 builds?"));
    expect(dialog).toHaveTextContent("Cancel 3 builds: 2 running, 1 queued");

    const choices = within(dialog).getByRole("group", { name: "Which builds" });
    await user.type(within(choices).getByRole("combobox", { name: "Branch" }), "main{Enter}");
    await user.click(within(choices).getByRole("combobox", { name: "Pipelines" }));
    await user.click(await screen.findByRole("option", { name: "deploy" }));
    await vi.waitFor(() => findDialog("Cancel 1 build?"));
    expect(dialog).toHaveTextContent("Cancel 1 build on main: 0 running, 1 queued");
    const previews = api.callsTo("POST", "/api/projects/demo/cancellations/preview").map((c) => c.body);
    expect(previews[0]).toEqual({ filter: { status: ["QUEUED", "RUNNING"] } });
    expect(previews.at(-1)).toEqual({
      filter: { status: ["QUEUED", "RUNNING"], branch: "main", pipelines: ["deploy"] },
    });

    await user.click(within(dialog).getByRole("button", { name: "Cancel 1 build" }));
    await vi.waitFor(() => expect(track).toHaveBeenCalled());
    expect(api.callsTo("POST", "/api/projects/demo/cancellations").map((c) => c.body)).toEqual([
      { filter: { status: ["QUEUED", "RUNNING"], branch: "main", pipelines: ["deploy"] }, snapshot: "snapshot-1" },
    ]);
    await vi.waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("without the right to cancel, the button is disabled and says why", async () => {
    serve({ canCancel: false });
    const { user } = await show();
    const button = await screen.findByRole("button", { name: "Cancel running builds…" });
    await vi.waitFor(() => expect(button).toBeDisabled());
    await user.hover(button.parentElement!);
    expect(await screen.findByRole("tooltip")).toHaveTextContent(
      "You need the developer role in this project to cancel builds.",
    );
  });

  it("shows maintainers the Repositories section", async () => {
    const api = serve({ canEdit: true });
    await show();
    expect(await screen.findByRole("region", { name: "Repositories" })).toBeInTheDocument();
    expect(api.callsTo("GET", "/api/projects/demo/repositories")).not.toHaveLength(0);
  });

  it("hides the Repositories section from a developer", async () => {
    const api = serve();
    await show();
    expect(screen.queryByRole("region", { name: "Repositories" })).not.toBeInTheDocument();
    expect(api.callsTo("GET", "/api/projects/demo/repositories")).toHaveLength(0);
  });
});
