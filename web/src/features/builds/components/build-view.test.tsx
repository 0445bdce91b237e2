import type { BuildDetail, Job } from "@common/dto.ts";
import { act, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { Language } from "../../../lib/i18n/languages.ts";
import { openStream } from "../../../test/fake-stream.ts";
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

async function show(detail: Partial<BuildDetail>, language: Language = "en") {
  const full: BuildDetail = { ...build(5, "RUNNING"), cancelGraceSeconds: 10, jobs: [], ...detail };
  mockApi({
    "GET /api/builds/1005": () => ({
      build: full,
      permissions: { canRead: true, canTrigger: true, canCancel: true, canEdit: false, canAudit: false },
    }),
  });
  await renderPage(<BuildView id={1005} onCancel={vi.fn()} />, { language });
  await screen.findByRole("heading", { name: "web-app #5" });
}

describe("the build page", () => {
  it("shows a pushed build's commit line and author and says it was triggered by a push; a PR build says its number", async () => {
    const trigger = {
      kind: "push" as const,
      repository: "web",
      pullRequest: null,
      commitMessage: "Speed up the tests\nbody",
      commitAuthor: "Carol",
      commitUrl: "https://git.example/acme/web/commit/abc",
    };
    await show({ triggeredBy: "alice", trigger });
    const summary = screen.getByRole("group", { name: "Build details" });
    expect(within(summary).getByRole("link", { name: "Speed up the tests" })).toHaveAttribute(
      "href",
      trigger.commitUrl,
    );
    expect(summary).toHaveTextContent("by Carol");
    expect(summary).toHaveTextContent("push by alice");
  });

  it("says a pull request's build was triggered by 'PR #12' and an API build 'by dev'", async () => {
    const trigger = {
      kind: "pull_request" as const,
      repository: "web",
      pullRequest: 12,
      commitMessage: "Add a page",
      commitAuthor: null,
      commitUrl: null,
    };
    await show({ triggeredBy: "alice", trigger });
    const summary = screen.getByRole("group", { name: "Build details" });
    expect(summary).toHaveTextContent("PR #12");
    expect(summary).toHaveTextContent("Add a page");
    expect(within(summary).queryByRole("link", { name: "Add a page" })).not.toBeInTheDocument();
  });

  it("says an API build was triggered 'by dev'", async () => {
    await show({ triggeredBy: "dev" });
    expect(screen.getByRole("group", { name: "Build details" })).toHaveTextContent("by dev");
  });

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

  it("shows the lines Sluice wrote into the log in 简体中文, and the steps' own output as written", async () => {
    await show({ status: "CANCELING", jobs: [job({})] }, "zh-CN");
    const stream = await openStream("log:1005");
    act(() => {
      stream.connect();
      stream.emit("log", {
        build: 1005,
        chunks: [
          { id: 1, jobId: 1, stream: "stdout", text: "running tests\n" },
          {
            id: 2,
            jobId: 1,
            stream: "system",
            text: "[sluice] stopping: superseded by #3; SIGTERM, SIGKILL after 10.0s grace\n",
          },
          { id: 3, jobId: 1, stream: "system", text: "[sluice] stopped: every process ended 0.2s after SIGTERM\n" },
        ],
        ended: false,
      });
    });
    const log = screen.getByRole("log");
    await vi.waitFor(() =>
      expect(log).toHaveTextContent("[sluice] 正在停止：被 #3 取代；发送 SIGTERM，10.0s 宽限期后发送 SIGKILL"),
    );
    expect(log).toHaveTextContent("[sluice] 已停止：发送 SIGTERM 后 0.2s 内所有进程均已结束");
    expect(log).toHaveTextContent("running tests");
    expect(log).not.toHaveTextContent("stopping");
  });
});
