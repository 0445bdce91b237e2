import type { PipelineSummary } from "@common/dto.ts";
import { act, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { openStream } from "../../test/fake-stream.ts";
import { build, change, projectAccess } from "../../test/fixtures.ts";
import { mockApi } from "../../test/mock-api.ts";
import { renderPage } from "../../test/render.tsx";
import { ProjectsRoute } from "./projects.tsx";

const ACCESS = projectAccess();

function pipeline(name: string, running: number): PipelineSummary {
  return {
    project: "demo",
    name,
    createdAt: "2024-05-01T09:00:00.000Z",
    updatedAt: "2024-05-01T09:00:00.000Z",
    active: { running, queued: 0, canceling: 0 },
    lastBuild: build(3, running > 0 ? "RUNNING" : "SUCCEEDED", { pipeline: name, branch: "main" }),
  };
}

describe("the projects page", () => {
  it("is live: a build starting in a project shows its running count and its new pipeline without a reload", async () => {
    let items = [pipeline("web-app", 0)];
    mockApi({
      "GET /api/me": () => ({ user: { username: "dev", isAdmin: false }, csrfToken: "c", projects: [ACCESS] }),
      "GET /api/projects/demo/pipelines": () => ({ project: ACCESS, items }),
    });
    await renderPage(<ProjectsRoute />, { url: "/", path: "/" });
    const table = await screen.findByRole("table", { name: /demo/i });
    const runningOf = (name: string) =>
      within(within(table).getByRole("link", { name }).closest("tr")!).getAllByRole("cell")[1];
    await vi.waitFor(() => expect(runningOf("web-app")).toHaveTextContent("0"));

    items = [pipeline("web-app", 1), pipeline("deploy", 1)];
    const stream = await openStream("project:demo");
    act(() => {
      stream.connect();
      stream.emit("builds", {
        project: "demo",
        pipeline: "deploy",
        changes: [change(build(1, "RUNNING", { pipeline: "deploy" }), "RUNNING", { from: "QUEUED" })],
      });
    });
    await vi.waitFor(() => expect(runningOf("deploy")).toHaveTextContent("1"));
    expect(runningOf("web-app")).toHaveTextContent("1");
    expect(await screen.findByRole("status")).toHaveTextContent("Live");
  });
});
