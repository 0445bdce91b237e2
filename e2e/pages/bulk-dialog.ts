/** The confirmation dialog of a bulk cancel or re-run: the server's preview, a reason, confirm. */
import { expect, type Page } from "@playwright/test";

export class BulkDialog {
  constructor(readonly page: Page) {}

  readonly root = () => this.page.getByRole("dialog");
  readonly confirm = () => this.root().getByRole("button", { name: /^(Cancel|Re-run) \d+ builds?$/ });
  readonly keep = () => this.root().getByRole("button", { name: /^(Keep running|Not now)$/ });
  readonly reason = () => this.root().getByLabel("Reason (optional)");
  readonly alsoStopProtected = () => this.root().getByRole("checkbox", { name: "Also stop protected builds" });

  /** Waits for the preview, then confirms what it showed. */
  async confirmWith(reason?: string) {
    await expect(this.root()).toBeVisible();
    if (reason) await this.reason().fill(reason);
    await expect(this.confirm()).toBeEnabled();
    await this.confirm().click();
    await expect(this.root()).toBeHidden();
  }
}
