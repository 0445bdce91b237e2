/** A project's page (its pipelines) as a user sees it. */
import { expect, type Page } from "@playwright/test";
import { BulkDialog } from "./bulk-dialog.ts";
import { ProgressToast } from "./progress-toast.ts";

export class ProjectPage {
  constructor(readonly page: Page) {}

  async goto(project: string) {
    await this.page.goto(`/projects/${project}`);
    await expect(this.pipelines()).toBeVisible();
  }

  readonly pipelines = () => this.page.getByRole("table", { name: /^Pipelines of / });
  readonly cancelRunning = () => this.page.getByRole("button", { name: "Cancel running builds…" });
  readonly choices = () => this.page.getByRole("dialog").getByRole("group", { name: "Which builds" });
  readonly branchChoice = () => this.choices().getByRole("combobox", { name: "Branch" });
  readonly pipelinesChoice = () => this.choices().getByRole("combobox", { name: "Pipelines" });

  /** Picks pipelines in the dialog's multiple choice. */
  async choosePipelines(...names: string[]) {
    await this.pipelinesChoice().click();
    for (const name of names) {
      await this.page
        .locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden)")
        .getByTitle(name, { exact: true })
        .click();
    }
    // Escape would close the dialog too: close the list by clicking the dialog's title.
    await this.page.getByRole("dialog").locator(".ant-modal-title").click();
  }

  readonly dialog = () => new BulkDialog(this.page);
  readonly toast = () => new ProgressToast(this.page);
}
