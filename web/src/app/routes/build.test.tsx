import type { BuildDetail } from "@common/dto.ts";
import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { OperationTrackerContext } from "../../features/operations/hooks/use-operation-tracker.ts";
import { build } from "../../test/fixtures.ts";
import { jsonResponse, mockApi } from "../../test/mock-api.ts";
import { renderPage } from "../../test/render.tsx";
import { BuildIdRoute, BuildRoute } from "./build.tsx";

const PERMISSIONS = { canRead: true, canTrigger: true, canCancel: true, canEdit: false, canAudit: false };
const detail: BuildDetail = { ...build(3, "SUCCEEDED", { pipeline: "db-migrate" }), cancelGraceSeconds: 10, jobs: [] };

function serve() {
  return mockApi({
    "GET /api/projects/demo/pipelines/db-migrate/builds/3": () => ({ build: detail, permissions: PERMISSIONS }),
    "GET /api/projects/demo/pipelines/db-migrate/builds/4": () =>
      jsonResponse(404, { error: { code: "build_not_found", message: "Build #4 not found" } }),
    "GET /api/builds/1003": () => ({ build: detail, permissions: PERMISSIONS }),
  });
}

const tracked = (ui: React.ReactNode) => (
  <OperationTrackerContext value={{ track: vi.fn() }}>{ui}</OperationTrackerContext>
);

describe("a build's address", () => {
  it("is its number in its pipeline", async () => {
    const api = serve();
    await renderPage(tracked(<BuildRoute />), {
      url: "/projects/demo/pipelines/db-migrate/builds/3",
      path: "/projects/:project/pipelines/:pipeline/builds/:number",
    });
    expect(await screen.findByRole("heading", { name: "db-migrate #3" })).toBeInTheDocument();
    expect(api.callsTo("GET", "/api/projects/demo/pipelines/db-migrate/builds/3")).toHaveLength(1);
  });

  it("a number the pipeline does not have is Page not found", async () => {
    serve();
    await renderPage(tracked(<BuildRoute />), {
      url: "/projects/demo/pipelines/db-migrate/builds/4",
      path: "/projects/:project/pipelines/:pipeline/builds/:number",
    });
    expect(await screen.findByText("Page not found")).toBeInTheDocument();
  });

  it("an old link by id moves to the number address", async () => {
    serve();
    const { router } = await renderPage(tracked(<BuildIdRoute />), { url: "/builds/1003", path: "/builds/:id" });
    await vi.waitFor(() => expect(router.state.location.pathname).toBe("/projects/demo/pipelines/db-migrate/builds/3"));
  });
});
