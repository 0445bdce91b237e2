import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { findDialog, renderPage } from "../../../test/render.tsx";
import { CancelDialog } from "./cancel-dialog.tsx";

const preview = [12, 11, 9, 8, 6, 5, 3].map((number) => ({ id: number, number, branch: `branch-${number}` }));

async function open(props: Partial<Parameters<typeof CancelDialog>[0]> = {}) {
  const onConfirm = vi.fn(async () => {});
  const onClose = vi.fn();
  const count = props.count ?? 50;
  await renderPage(
    <CancelDialog count={count} preview={preview} offScreen={43} onConfirm={onConfirm} onClose={onClose} {...props} />,
  );
  const dialog = await findDialog(`Cancel ${count} builds?`);
  return { dialog, onConfirm, onClose };
}

describe("the cancel confirmation dialog", () => {
  it("says how many builds, which ones first, what is off screen and what happens to finished ones", async () => {
    const { dialog } = await open();
    expect(dialog).toHaveTextContent("50 builds will be canceled");
    const items = screen.getAllByRole("listitem").map((li) => li.textContent);
    expect(items).toEqual([
      "#12 branch-12",
      "#11 branch-11",
      "#9 branch-9",
      "#8 branch-8",
      "#6 branch-6",
      "and 45 more",
    ]);
    expect(dialog).toHaveTextContent("43 builds of them are not shown on this page.");
    expect(dialog).toHaveTextContent("Builds that finish before they are reached are left as they are.");
    expect(screen.getByLabelText("Reason (optional)")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Cancel 50 builds" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Keep running" })).toBeEnabled();
  });

  it("does not mention builds off screen when there are none", async () => {
    const { dialog } = await open({ count: 2, preview: preview.slice(0, 2), offScreen: 0 });
    expect(dialog).not.toHaveTextContent("not shown");
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

  it("shows why the server refused, and a second try sends the same idempotency key", async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn(async (_reason: string | undefined, _key: string) => {
      throw new Error("Too many operations");
    });
    await open({ onConfirm });
    await user.click(screen.getByRole("button", { name: "Cancel 50 builds" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Could not cancel: Too many operations");
    await user.click(screen.getByRole("button", { name: "Cancel 50 builds" }));
    expect(onConfirm).toHaveBeenCalledTimes(2);
    expect(onConfirm.mock.calls[0]![1]).toBe(onConfirm.mock.calls[1]![1]);
  });
});
