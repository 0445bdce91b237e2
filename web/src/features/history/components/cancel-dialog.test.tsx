import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { RateLimitedError, UnavailableError } from "../../../../../common/errors.ts";
import { findDialog, renderPage } from "../../../test/render.tsx";
import { CancelDialog } from "./cancel-dialog.tsx";

const preview = [12, 11, 9, 8, 6, 5, 3].map((number) => ({ id: number, number, branch: `branch-${number}` }));

async function open(props: Partial<Parameters<typeof CancelDialog>[0]> = {}) {
  const onConfirm = vi.fn(async () => {});
  const onClose = vi.fn();
  const count = props.count ?? 50;
  await renderPage(
    <CancelDialog
      count={count}
      byStatus={{ running: 20, queued: 30 }}
      preview={preview}
      offScreen={43}
      onConfirm={onConfirm}
      onClose={onClose}
      {...props}
    />,
  );
  const dialog = await findDialog(props.loadError ? "Could not list the builds" : `Cancel ${count} builds?`);
  return { dialog, onConfirm, onClose };
}

describe("the cancel confirmation dialog", () => {
  it("says how many builds, how many run and how many wait, which ones first, what is off screen and what happens to finished ones", async () => {
    const { dialog } = await open();
    expect(dialog).toHaveTextContent("50 builds will be canceled");
    expect(dialog).toHaveTextContent("20 running, 30 queued");
    const items = screen.getAllByRole("listitem").map((li) => li.textContent);
    expect(items).toEqual([
      "#12 branch-12",
      "#11 branch-11",
      "#9 branch-9",
      "#8 branch-8",
      "#6 branch-6",
      "and 45 more",
    ]);
    expect(dialog).toHaveTextContent("43 of these builds are not on this page.");
    expect(dialog).toHaveTextContent("Builds that finish before they are reached are left as they are.");
    expect(screen.getByLabelText("Reason (optional)")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Cancel 50 builds" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Keep running" })).toBeEnabled();
  });

  it("does not mention builds off screen when there are none", async () => {
    const { dialog } = await open({ count: 2, preview: preview.slice(0, 2), offScreen: 0 });
    expect(dialog).not.toHaveTextContent("not on this page");
    expect(screen.queryByText(/more$/)).not.toBeInTheDocument();
  });

  it("starts on Keep running, so Enter does not confirm", async () => {
    const user = userEvent.setup();
    const { onConfirm, onClose } = await open();
    await vi.waitFor(() => expect(screen.getByRole("button", { name: "Keep running" })).toHaveFocus());
    await user.keyboard("{Enter}");
    expect(onConfirm).not.toHaveBeenCalled();
    expect(onClose).toHaveBeenCalled();
  });

  it("Enter in the reason is a new line, not a confirmation", async () => {
    const user = userEvent.setup();
    const { onConfirm } = await open();
    await user.type(screen.getByLabelText("Reason (optional)"), "bad push{Enter}");
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it("sends the trimmed reason once, however often it is clicked while the server answers", async () => {
    const user = userEvent.setup();
    let settle = () => {};
    const onConfirm = vi.fn(() => new Promise<void>((resolve) => (settle = resolve)));
    await open({ onConfirm });
    await user.type(screen.getByLabelText("Reason (optional)"), "  bad push ");
    const confirm = screen.getByRole("button", { name: "Cancel 50 builds" });
    await user.click(confirm);
    await user.click(confirm);
    settle();
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(onConfirm).toHaveBeenCalledWith("bad push", expect.any(String));
  });

  it("shows why the server refused, by its code and in the page's words, and a second try sends the same idempotency key", async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn(async (_reason: string | undefined, _key: string) => {
      throw new RateLimitedError("You already have 5 bulk operations running", 5, "too_many_operations");
    });
    await open({ onConfirm });
    await user.click(screen.getByRole("button", { name: "Cancel 50 builds" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Could not cancel: You already have several cancellations running. Try again in 5 seconds.",
    );
    await user.click(screen.getByRole("button", { name: "Cancel 50 builds" }));
    expect(onConfirm).toHaveBeenCalledTimes(2);
    expect(onConfirm.mock.calls[0]![1]).toBe(onConfirm.mock.calls[1]![1]);
  });

  it("a failed listing has its own title and says why, and nothing can be confirmed", async () => {
    const { dialog } = await open({
      count: null,
      byStatus: null,
      preview: [],
      offScreen: 0,
      loadError: new UnavailableError("engine_unavailable", "The build engine is not answering"),
    });
    expect(dialog).toHaveTextContent("The build engine is not answering. Try again shortly.");
    expect(dialog).not.toHaveTextContent("Finding the matching builds");
    expect(screen.getByRole("button", { name: "Cancel 0 builds" })).toBeDisabled();
  });
});
