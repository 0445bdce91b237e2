import type { BuildDetail } from "@common/dto.ts";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { build } from "../../../test/fixtures.ts";
import { renderPage } from "../../../test/render.tsx";
import { CancelBuildButton } from "./cancel-build-button.tsx";

const detail = (overrides: Partial<BuildDetail>): BuildDetail => ({
  ...build(5, "RUNNING"),
  cancelGraceSeconds: 10,
  jobs: [],
  ...overrides,
});
const secondsAgo = (s: number) => new Date(Date.now() - s * 1000).toISOString();
const canceling = (since: number) =>
  detail({ status: "CANCELING", cancel: { by: "alice", reason: null, operationId: "op-1", at: secondsAgo(since) } });

describe("the build page's cancel button", () => {
  it("cancels a running build after a confirmation", async () => {
    const onCancel = vi.fn(async () => {});
    await renderPage(<CancelBuildButton build={detail({})} canCancel onCancel={onCancel} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Cancel build" }));
    const confirm = await screen.findByRole("tooltip");
    expect(confirm).toHaveTextContent("Cancel this build?");
    await user.click(within(confirm).getByRole("button", { name: "Cancel build" }));
    expect(onCancel).toHaveBeenCalledWith(false, expect.any(String));
  });

  it("sends the reason typed in the confirmation", async () => {
    const onCancel = vi.fn(async () => {});
    await renderPage(<CancelBuildButton build={detail({})} canCancel onCancel={onCancel} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Cancel build" }));
    const confirm = await screen.findByRole("tooltip");
    await user.type(within(confirm).getByRole("textbox", { name: "Reason (optional)" }), " bad push ");
    await user.click(within(confirm).getByRole("button", { name: "Cancel build" }));
    expect(onCancel).toHaveBeenCalledWith(false, expect.any(String), "bad push");
  });

  it("offers no force while a canceling build is within its grace period", async () => {
    await renderPage(<CancelBuildButton build={canceling(3)} canCancel onCancel={vi.fn()} />);
    expect(screen.queryByRole("button", { name: /cancel/i })).not.toBeInTheDocument();
  });

  it("offers force cancel once the build has been canceling longer than its grace period", async () => {
    const onCancel = vi.fn(async () => {});
    await renderPage(<CancelBuildButton build={canceling(30)} canCancel onCancel={onCancel} />);
    expect(screen.getByText(/Still stopping after the 10s grace period/)).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Force cancel" }));
    await user.click(within(await screen.findByRole("tooltip")).getByRole("button", { name: "Force cancel" }));
    expect(onCancel).toHaveBeenCalledWith(true, expect.any(String));
  });

  it("is disabled for someone who may not cancel, and says why on hover and in text", async () => {
    await renderPage(<CancelBuildButton build={detail({})} canCancel={false} onCancel={vi.fn()} />);
    const button = screen.getByRole("button", { name: "Cancel build" });
    expect(button).toBeDisabled();
    expect(screen.getByText("You need the developer role in this project to cancel builds.")).toBeInTheDocument();
    await userEvent.setup().hover(button.parentElement!);
    expect(await screen.findByRole("tooltip")).toHaveTextContent(
      "You need the developer role in this project to cancel builds.",
    );
  });

  it("shows nothing for a finished build", async () => {
    await renderPage(<CancelBuildButton build={detail({ status: "SUCCEEDED" })} canCancel onCancel={vi.fn()} />);
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
  });
});
