import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { batchPreview } from "../../../test/fixtures.ts";
import { mockApi } from "../../../test/mock-api.ts";
import { findDialog, renderPage } from "../../../test/render.tsx";
import { OperationTrackerContext } from "../hooks/use-operation-tracker.ts";
import { BulkActionDialog } from "./bulk-action-dialog.tsx";

/** A page with the button that opens the dialog, mounted while open as the pages do. */
function Opener() {
  const [open, setOpen] = useState(false);
  return (
    <OperationTrackerContext value={{ track: vi.fn() }}>
      <button type="button" onClick={() => setOpen(true)}>
        Cancel selected
      </button>
      <button type="button">After</button>
      {open && (
        <BulkActionDialog
          action={{ kind: "cancel", request: { buildIds: [1, 2] } }}
          project="demo"
          pipeline="web-app"
          onClose={() => setOpen(false)}
        />
      )}
    </OperationTrackerContext>
  );
}

async function openDialog() {
  mockApi({ "POST /api/projects/demo/pipelines/web-app/cancellations/preview": () => batchPreview({ RUNNING: 2 }) });
  const user = userEvent.setup();
  await renderPage(<Opener />);
  const opener = screen.getByRole("button", { name: "Cancel selected" });
  await user.click(opener);
  const dialog = await vi.waitFor(() => findDialog("Cancel 2 builds?"));
  await vi.waitFor(() => expect(within(dialog).getByRole("button", { name: "Keep running" })).toHaveFocus());
  return { user, opener, dialog };
}

describe("the bulk action dialog and the keyboard", () => {
  it("gives focus back to the button that opened it when closed with Escape", async () => {
    const { user, opener } = await openDialog();
    await user.keyboard("{Escape}");
    await vi.waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    await vi.waitFor(() => expect(opener).toHaveFocus());
  });

  it("gives focus back to the button that opened it after Keep running", async () => {
    const { user, opener, dialog } = await openDialog();
    await user.click(within(dialog).getByRole("button", { name: "Keep running" }));
    await vi.waitFor(() => expect(opener).toHaveFocus());
  });

  it("Tab past the confirm button comes back to the dialog's first control, and Shift+Tab goes round the other way", async () => {
    const { user, dialog } = await openDialog();
    const confirm = within(dialog).getByRole("button", { name: "Cancel 2 builds" });
    const close = within(dialog).getByRole("button", { name: "Close" });
    confirm.focus();
    await user.tab();
    expect(close).toHaveFocus();
    await user.tab({ shift: true });
    expect(confirm).toHaveFocus();
  });
});
