import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { BulkAction } from "../../../lib/bulk-action.ts";
import type { Language } from "../../../lib/i18n/languages.ts";
import { batchPreview, build, operation } from "../../../test/fixtures.ts";
import { jsonResponse, mockApi } from "../../../test/mock-api.ts";
import { findDialog, renderPage } from "../../../test/render.tsx";
import { OperationTrackerContext } from "../hooks/use-operation-tracker.ts";
import { BulkActionDialog } from "./bulk-action-dialog.tsx";

const CANCELLATIONS = "/api/projects/demo/pipelines/web-app/cancellations";
const RERUNS = "/api/projects/demo/pipelines/web-app/reruns";
const onMain: BulkAction = {
  kind: "cancel",
  request: { filter: { status: ["QUEUED", "RUNNING"], branch: "main" }, excludeBuildIds: [1005] },
};

/** The dialog once its title says this (it opens while the preview is on its way). */
const titled = (title: string) => vi.waitFor(() => findDialog(title));

async function open(action: BulkAction, opts: { language?: Language; pipeline?: string | null } = {}) {
  const track = vi.fn();
  const onAccepted = vi.fn();
  const onClose = vi.fn();
  const user = userEvent.setup();
  await renderPage(
    <OperationTrackerContext value={{ track }}>
      <BulkActionDialog
        action={action}
        project="demo"
        pipeline={opts.pipeline === undefined ? "web-app" : opts.pipeline}
        onClose={onClose}
        onAccepted={onAccepted}
      />
    </OperationTrackerContext>,
    { language: opts.language ?? "en" },
  );
  return { user, track, onAccepted, onClose };
}

describe("the bulk action dialog", () => {
  it("shows what the server previewed: how many on which branch, running and queued, up to which number, the newest, and that later builds are left alone", async () => {
    const api = mockApi({ [`POST ${CANCELLATIONS}/preview`]: () => batchPreview({ RUNNING: 12, QUEUED: 125 }) });
    await open(onMain);
    const dialog = await titled("Cancel 137 builds?");
    expect(dialog).toHaveTextContent("Cancel 137 builds on main: 12 running, 125 queued, up to #237");
    const builds = within(dialog).getByRole("list", { name: "Builds" });
    expect(
      within(builds)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["#237 main", "#236 main", "#235 main", "#234 main", "#233 main", "and 132 more"]);
    expect(dialog).toHaveTextContent(/Builds triggered after this preview \(\d\d:\d\d:\d\d\) are not affected\./);
    expect(within(dialog).queryByRole("checkbox", { name: "Also stop protected builds" })).not.toBeInTheDocument();
    expect(api.callsTo("POST", `${CANCELLATIONS}/preview`).map((c) => c.body)).toEqual([onMain.request]);
    await vi.waitFor(() => expect(screen.getByRole("button", { name: "Keep running" })).toHaveFocus());
  });

  it("all but the newest per branch: lists what is kept next to what is canceled and confirms the filter with keepNewest", async () => {
    const filter = {
      status: ["QUEUED", "RUNNING"] as ("QUEUED" | "RUNNING")[],
      keepNewest: { per: "branch" as const, count: 1 },
    };
    const keepNewest: BulkAction = { kind: "cancel", request: { filter } };
    const kept = [build(300, "RUNNING", { branch: "main" }), build(299, "QUEUED", { branch: "dev" })];
    const api = mockApi({
      [`POST ${CANCELLATIONS}/preview`]: () =>
        batchPreview({ RUNNING: 4, QUEUED: 5 }, { kept: 7, keptKeys: 7, keptBuilds: kept }),
      [`POST ${CANCELLATIONS}`]: () => jsonResponse(202, { operation: operation({ id: "op-9", total: 9 }) }),
    });
    const { user, onAccepted } = await open(keepNewest);
    const dialog = await titled("Cancel 9 builds?");
    expect(dialog).toHaveTextContent("Kept: the newest build of each of 7 branches");
    const list = within(dialog).getByRole("list", { name: "Kept builds" });
    expect(
      within(list)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["#300 main", "#299 dev", "and 5 more"]);
    await user.click(within(dialog).getByRole("button", { name: "Cancel 9 builds" }));
    await vi.waitFor(() => expect(onAccepted).toHaveBeenCalled());
    expect(api.callsTo("POST", CANCELLATIONS)[0]?.body).toMatchObject({
      filter,
      snapshot: "snapshot-1",
    });
  });

  it("says how many builds protected branches leave out; ticking 'also cancel' previews again with them included and confirms that", async () => {
    const api = mockApi({
      [`POST ${CANCELLATIONS}/preview`]: (request) =>
        (request.body as { filter: { includeProtectedBranches?: boolean } }).filter.includeProtectedBranches
          ? batchPreview(
              { QUEUED: 5 },
              { snapshot: "snapshot-2", leftOut: { protectedBranches: 0, patterns: ["main"], included: true } },
            )
          : batchPreview({ QUEUED: 2 }, { leftOut: { protectedBranches: 3, patterns: ["main"], included: false } }),
      [`POST ${CANCELLATIONS}`]: () => jsonResponse(202, { operation: operation({ id: "op-3", total: 5 }) }),
    });
    const { user, onAccepted } = await open({ kind: "cancel", request: { filter: { status: ["QUEUED"] } } });
    const dialog = await titled("Cancel 2 builds?");
    expect(dialog).toHaveTextContent("3 builds on protected branches (main) are left out.");
    await user.click(within(dialog).getByRole("checkbox", { name: "Also cancel builds on protected branches" }));
    const again = await titled("Cancel 5 builds?");
    expect(again).toHaveTextContent("Protected branches (main) are included.");
    await user.click(within(again).getByRole("button", { name: "Cancel 5 builds" }));
    await vi.waitFor(() => expect(onAccepted).toHaveBeenCalled());
    expect(api.callsTo("POST", CANCELLATIONS)[0]?.body).toMatchObject({
      filter: { status: ["QUEUED"], includeProtectedBranches: true },
      snapshot: "snapshot-2",
    });
  });

  it("says what the cancel costs in plain lines, and in full behind Details", async () => {
    const impact = {
      runningByAgent: [
        { agent: "agent-1", builds: 8 },
        { agent: "agent-2", builds: 4 },
      ],
      workDoneSeconds: 15_000,
      workAvoidedSeconds: 9_000,
      unestimated: 0,
      inFlight: [
        { stage: "deploy", step: "kubectl apply", builds: 3 },
        { stage: "test", step: "npm test", builds: 9 },
      ],
      protectedBuilds: 0,
      pullRequests: [{ repository: "web", number: 42, builds: 2 }],
    };
    mockApi({ [`POST ${CANCELLATIONS}/preview`]: () => batchPreview({ RUNNING: 12, QUEUED: 30 }, { impact }) });
    const { user } = await open(onMain);
    const dialog = await titled("Cancel 42 builds?");
    const group = within(dialog).getByRole("group", { name: "Impact" });
    expect(group).toHaveTextContent(
      "Stops 12 running builds on 2 agents (4h 10m of work done); 30 queued builds will not run (about 2h 30m of work avoided).",
    );
    expect(group).toHaveTextContent(
      "In flight: 3 in stage deploy, step kubectl apply · 9 in stage test, step npm test",
    );
    expect(within(group).queryByText("agent-1: 8 · agent-2: 4")).not.toBeInTheDocument();
    await user.click(within(group).getByRole("button", { name: /Details/ }));
    expect(await within(group).findByText("agent-1: 8 · agent-2: 4")).toBeVisible();
    expect(within(group).getByText("web#42")).toBeVisible();
  });

  it("above the project's threshold asks to type the number of builds, and confirms with it", async () => {
    const api = mockApi({
      [`POST ${CANCELLATIONS}/preview`]: () =>
        batchPreview({ RUNNING: 50, QUEUED: 100 }, { confirmation: { required: true, above: 100, stages: [] } }),
      [`POST ${CANCELLATIONS}`]: () => jsonResponse(202, { operation: operation({ id: "op-5", total: 150 }) }),
    });
    const { user, onAccepted } = await open(onMain);
    const dialog = await titled("Cancel 150 builds?");
    const confirm = within(dialog).getByRole("button", { name: "Cancel 150 builds" });
    expect(confirm).toBeDisabled();
    const field = within(dialog).getByLabelText("Type 150 to confirm");
    await user.type(field, "15");
    expect(confirm).toBeDisabled();
    await user.type(field, "0");
    expect(confirm).toBeEnabled();
    await user.click(confirm);
    await vi.waitFor(() => expect(onAccepted).toHaveBeenCalled());
    expect(api.callsTo("POST", CANCELLATIONS)[0]?.body).toMatchObject({ snapshot: "snapshot-1", confirmCount: 150 });
  });

  it("says in Chinese what is kept and what protected branches leave out", async () => {
    mockApi({
      [`POST ${CANCELLATIONS}/preview`]: () =>
        batchPreview(
          { QUEUED: 3 },
          { kept: 2, keptKeys: 2, leftOut: { protectedBranches: 4, patterns: ["main", "release/*"], included: false } },
        ),
    });
    await open(
      { kind: "cancel", request: { filter: { status: ["QUEUED"], keepNewest: { per: "branch", count: 1 } } } },
      { language: "zh-CN" },
    );
    const dialog = await titled("取消 3 个构建？");
    expect(dialog).toHaveTextContent("保留：2 个分支各自最新的构建");
    expect(dialog).toHaveTextContent("受保护分支（main, release/*）上的 4 个构建不受影响。");
  });

  it("confirms with the preview's snapshot, the rows left out and the reason, once however often it is clicked, and follows the operation", async () => {
    const accepted = operation({ id: "op-7", total: 137 });
    let answer: (r: Response) => void = () => {};
    const api = mockApi({
      [`POST ${CANCELLATIONS}/preview`]: () => batchPreview({ RUNNING: 12, QUEUED: 125 }),
      [`POST ${CANCELLATIONS}`]: () => new Promise<Response>((resolve) => (answer = resolve)),
    });
    const { user, track, onAccepted } = await open(onMain);
    const dialog = await titled("Cancel 137 builds?");
    await user.type(within(dialog).getByLabelText("Reason (optional)"), "  bad push ");
    const confirm = within(dialog).getByRole("button", { name: "Cancel 137 builds" });
    await user.click(confirm);
    await user.click(confirm);
    answer(jsonResponse(202, { operation: accepted }));
    await vi.waitFor(() => expect(onAccepted).toHaveBeenCalledWith(accepted));
    const sent = api.callsTo("POST", CANCELLATIONS);
    expect(sent.map((c) => c.body)).toEqual([
      {
        filter: { status: ["QUEUED", "RUNNING"], branch: "main" },
        excludeBuildIds: [1005],
        snapshot: "snapshot-1",
        reason: "bad push",
      },
    ]);
    expect(sent[0]!.headers.get("Idempotency-Key")).toMatch(/.+/);
    expect(track).toHaveBeenCalledWith(accepted);
  });

  it("counts protected builds and stops them too only when asked", async () => {
    const api = mockApi({
      [`POST ${CANCELLATIONS}/preview`]: () => batchPreview({ RUNNING: 3 }, { protected: 2 }),
      [`POST ${CANCELLATIONS}`]: () => ({ operation: operation({ total: 3 }) }),
    });
    const { user } = await open({ kind: "cancel", request: { buildIds: [1, 2, 3] } });
    // Without force the two protected builds are left running: the dialog offers to cancel one.
    const dialog = await titled("Cancel 1 build?");
    // The headline says the same: one of the three is stopped.
    expect(dialog).toHaveTextContent("Cancel 1 of 3 builds: 3 running, 0 queued");
    expect(dialog).toHaveTextContent(
      "2 of these builds run a protected job (interruptible: false) and are left running.",
    );
    expect(within(dialog).getByRole("button", { name: "Cancel 1 build" })).toBeEnabled();
    expect(dialog).not.toHaveTextContent("Builds triggered after this preview");
    await user.click(within(dialog).getByRole("checkbox", { name: "Also stop protected builds" }));
    await titled("Cancel 3 builds?");
    expect(dialog).toHaveTextContent("Cancel 3 builds: 3 running, 0 queued");
    expect(dialog).toHaveTextContent(
      "2 of these builds run a protected job (interruptible: false); they are stopped too, by force.",
    );
    expect(dialog).not.toHaveTextContent("are left running");
    await user.click(within(dialog).getByRole("button", { name: "Cancel 3 builds" }));
    await vi.waitFor(() => expect(api.callsTo("POST", CANCELLATIONS)).toHaveLength(1));
    expect(api.callsTo("POST", CANCELLATIONS)[0]!.body).toEqual({
      buildIds: [1, 2, 3],
      snapshot: "snapshot-1",
      force: true,
    });
  });

  it("when every build is protected the confirm is off until “Also stop protected builds” is ticked", async () => {
    mockApi({ [`POST ${CANCELLATIONS}/preview`]: () => batchPreview({ RUNNING: 2 }, { protected: 2 }) });
    const { user } = await open({ kind: "cancel", request: { buildIds: [1, 2] } });
    const dialog = await titled("Cancel 0 builds?");
    expect(within(dialog).getByRole("button", { name: "Cancel 0 builds" })).toBeDisabled();
    expect(dialog).toHaveTextContent("Every build here runs a protected job.");
    await user.click(within(dialog).getByRole("checkbox", { name: "Also stop protected builds" }));
    expect(within(dialog).getByRole("button", { name: "Cancel 2 builds" })).toBeEnabled();
  });

  it("a preview too old to confirm says so in the page's words and offers to preview again; the new one is confirmed with a new key", async () => {
    let previews = 0;
    const api = mockApi({
      [`POST ${CANCELLATIONS}/preview`]: () =>
        ++previews === 1 ? batchPreview({ QUEUED: 5 }) : batchPreview({ QUEUED: 7 }, { snapshot: "snapshot-2" }),
      [`POST ${CANCELLATIONS}`]: (call) =>
        (call.body as { snapshot: string }).snapshot === "snapshot-1"
          ? jsonResponse(409, { error: { code: "preview_expired", message: "Preview older than 600 s" } })
          : { operation: operation({ total: 7 }) },
    });
    const { user, onAccepted } = await open({ kind: "cancel", request: { filter: { status: ["QUEUED"] } } });
    const dialog = await titled("Cancel 5 builds?");
    await user.click(within(dialog).getByRole("button", { name: "Cancel 5 builds" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("This preview is too old. Look at the builds again before confirming.");
    expect(within(dialog).getByRole("button", { name: "Cancel 5 builds" })).toBeDisabled();

    await user.click(within(alert).getByRole("button", { name: "Preview again" }));
    await titled("Cancel 7 builds?");
    await user.click(within(dialog).getByRole("button", { name: "Cancel 7 builds" }));
    await vi.waitFor(() => expect(onAccepted).toHaveBeenCalled());
    const [first, second] = api.callsTo("POST", CANCELLATIONS);
    expect(second!.body).toMatchObject({ snapshot: "snapshot-2" });
    expect(second!.headers.get("Idempotency-Key")).not.toBe(first!.headers.get("Idempotency-Key"));
  });

  it("shows a refusal in the page's language, with when to try again", async () => {
    mockApi({
      [`POST ${CANCELLATIONS}/preview`]: () => batchPreview({ RUNNING: 2 }),
      [`POST ${CANCELLATIONS}`]: () =>
        jsonResponse(429, {
          error: {
            code: "too_many_operations",
            message: "You already have 5 bulk operations running",
            details: { retryAfterSeconds: 5 },
          },
        }),
    });
    const { user } = await open({ kind: "cancel", request: { buildIds: [1, 2] } }, { language: "zh-CN" });
    const dialog = await titled("取消 2 个构建？");
    await user.click(within(dialog).getByRole("button", { name: "取消 2 个构建" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "无法取消：你已有多个批量操作在进行中。 请 5 秒后再试。",
    );
  });

  it("a re-run says what it would run again and sends the ticked builds with the snapshot to the re-run route", async () => {
    const api = mockApi({
      [`POST ${RERUNS}/preview`]: () => batchPreview({ FAILED: 1, CANCELED: 1 }),
      [`POST ${RERUNS}`]: () =>
        jsonResponse(201, { operation: operation({ kind: "rerun", status: "completed", total: 2 }) }),
    });
    const { user, track } = await open({ kind: "rerun", request: { buildIds: [11, 12] } });
    const dialog = await titled("Re-run 2 builds?");
    expect(dialog).toHaveTextContent("Re-run 2 builds: 1 failed, 1 canceled");
    expect(dialog).toHaveTextContent("Builds still queued or running are skipped.");
    expect(within(dialog).getByRole("button", { name: "Not now" })).toBeEnabled();
    await user.click(within(dialog).getByRole("button", { name: "Re-run 2 builds" }));
    await vi.waitFor(() => expect(track).toHaveBeenCalled());
    expect(api.callsTo("POST", RERUNS).map((c) => c.body)).toEqual([{ buildIds: [11, 12], snapshot: "snapshot-1" }]);
  });

  it("a project-wide preview names each build's pipeline and counts per pipeline", async () => {
    mockApi({
      "POST /api/projects/demo/cancellations/preview": () =>
        batchPreview({ RUNNING: 3 }, { byPipeline: { "web-app": 2, deploy: 1 }, upTo: { "web-app": 103, deploy: 7 } }),
    });
    await open({ kind: "cancel", request: { filter: { status: ["RUNNING"] } } }, { pipeline: null });
    const dialog = await titled("Cancel 3 builds?");
    expect(dialog).toHaveTextContent("Cancel 3 builds: 3 running, 0 queued");
    const perPipeline = within(dialog).getByRole("list", { name: "Per pipeline" });
    expect(
      within(perPipeline)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["deploy: 1 build, up to #7", "web-app: 2 builds, up to #103"]);
    expect(within(dialog).getByRole("list", { name: "Builds" })).toHaveTextContent("web-app #103 main");
  });

  it("a failed preview has its own title and says why; nothing can be confirmed until it is tried again", async () => {
    let previews = 0;
    mockApi({
      [`POST ${CANCELLATIONS}/preview`]: () =>
        ++previews === 1
          ? jsonResponse(503, { error: { code: "engine_unavailable", message: "The build engine is not answering" } })
          : batchPreview({ RUNNING: 1 }),
    });
    const { user } = await open({ kind: "cancel", request: { buildIds: [1] } });
    const dialog = await titled("Could not list the builds");
    expect(dialog).toHaveTextContent("The build engine is not answering. Try again shortly.");
    expect(within(dialog).getByRole("button", { name: "Cancel 0 builds" })).toBeDisabled();
    await user.click(within(dialog).getByRole("button", { name: "Retry" }));
    await titled("Cancel 1 build?");
  });

  it("when nothing matches any more, says so and cannot confirm; Enter does not confirm either", async () => {
    mockApi({ [`POST ${CANCELLATIONS}/preview`]: () => batchPreview({}) });
    const { user, onClose } = await open({ kind: "cancel", request: { filter: { status: ["RUNNING"] } } });
    const dialog = await titled("Cancel 0 builds?");
    expect(dialog).toHaveTextContent("No build matches any more: there is nothing to cancel.");
    expect(within(dialog).getByRole("button", { name: "Cancel 0 builds" })).toBeDisabled();
    await vi.waitFor(() => expect(screen.getByRole("button", { name: "Keep running" })).toHaveFocus());
    await user.keyboard("{Enter}");
    expect(onClose).toHaveBeenCalled();
  });
});
