import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { BulkAction } from "../../../lib/bulk-action.ts";
import type { Language } from "../../../lib/i18n/languages.ts";
import { batchPreview, operation } from "../../../test/fixtures.ts";
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
    const dialog = await titled("Cancel 3 builds?");
    expect(dialog).toHaveTextContent(
      "2 of these builds run a protected job (interruptible: false) and are left running.",
    );
    expect(dialog).not.toHaveTextContent("Builds triggered after this preview");
    await user.click(within(dialog).getByRole("checkbox", { name: "Also stop protected builds" }));
    await user.click(within(dialog).getByRole("button", { name: "Cancel 3 builds" }));
    await vi.waitFor(() => expect(api.callsTo("POST", CANCELLATIONS)).toHaveLength(1));
    expect(api.callsTo("POST", CANCELLATIONS)[0]!.body).toEqual({
      buildIds: [1, 2, 3],
      snapshot: "snapshot-1",
      force: true,
    });
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
