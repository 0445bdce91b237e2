import type { BuildDetail, Job } from "@common/dto.ts";
import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { build } from "../../../test/fixtures.ts";
import { mockApi } from "../../../test/mock-api.ts";
import { renderPage } from "../../../test/render.tsx";
import { BuildView } from "./build-view.tsx";

const job = (overrides: Partial<Job>): Job => ({
  id: 1,
  stage: "test",
  stageIndex: 0,
  name: "unit",
  status: "RUNNING",
  agentId: "local",
  startedAt: "2024-05-01T10:00:05.000Z",
  finishedAt: null,
  stopRequestedAt: null,
  steps: [
    {
      index: 0,
      name: "npm test",
      run: "npm test",
      status: "RUNNING",
      exitCode: null,
      startedAt: "2024-05-01T10:00:05.000Z",
      finishedAt: null,
    },
  ],
  ...overrides,
});

async function show(detail: Partial<BuildDetail>) {
  const full: BuildDetail = { ...build(5, "RUNNING"), cancelGraceSeconds: 10, jobs: [], ...detail };
  mockApi({
    "GET /api/builds/1005": () => ({
      build: full,
      permissions: { canRead: true, canTrigger: true, canCancel: true, canEdit: false, canAudit: false },
    }),
  });
  await renderPage(<BuildView id={1005} onCancel={vi.fn()} />);
  await screen.findByRole("heading", { name: "web-app #5" });
}

describe("the build page", () => {
  it("shows a job the engine told to stop, and its running step, as Canceling while its build cancels", async () => {
    await show({
      status: "CANCELING",
      jobs: [
        job({ id: 1, name: "unit", stopRequestedAt: "2024-05-01T10:01:00.000Z" }),
        job({ id: 2, name: "lint", status: "SUCCEEDED", finishedAt: "2024-05-01T10:00:50.000Z" }),
      ],
    });
    const stopping = screen.getByText("unit").closest(".ant-card") as HTMLElement;
    expect(within(stopping).getAllByText("Canceling")).toHaveLength(2);
    expect(within(stopping).queryByText("Running")).not.toBeInTheDocument();
    const done = screen.getByText("lint").closest(".ant-card") as HTMLElement;
    expect(within(done).queryByText("Canceling")).not.toBeInTheDocument();
  });

  it("a running job not told to stop stays Running", async () => {
    await show({ jobs: [job({})] });
    const card = screen.getByText("unit").closest(".ant-card") as HTMLElement;
    expect(within(card).getAllByText("Running")).toHaveLength(2);
  });

  it("shows a dash, not an empty chip, for a build without a commit", async () => {
    await show({ commit: "" });
    const details = screen.getByRole("group", { name: "Build details" });
    expect(within(details).getByText("—")).toBeInTheDocument();
    expect(details.querySelector("code")).toBeNull();
  });
});
