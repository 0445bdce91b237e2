/** The confirmation dialog of a bulk cancel or re-run: the server's preview, a reason, confirm. */
import { expect, type Page } from "@playwright/test";

export class BulkDialog {
  constructor(readonly page: Page) {}

  readonly root = () => this.page.getByRole("dialog");
  readonly confirm = () => this.root().getByRole("button", { name: /^(Cancel|Re-run) \d+ builds?$/ });
  readonly keep = () => this.root().getByRole("button", { name: /^(Keep running|Not now)$/ });
  readonly reason = () => this.root().getByLabel("Reason (optional)");
  readonly alsoStopProtected = () => this.root().getByRole("checkbox", { name: "Also stop protected builds" });

  /** A big or guarded cancel's "Type N to confirm" field. */
  readonly typedCount = () => this.root().getByLabel(/Type \d+ to confirm$/);

  /** Waits for the preview, then confirms what it showed (typing its number when asked to). */
  async confirmWith(reason?: string) {
    await expect(this.root()).toBeVisible();
    if (reason) await this.reason().fill(reason);
    await expect(this.confirm().and(this.root().getByRole("button", { name: /[1-9]\d* builds?$/ }))).toBeVisible();
    if (await this.typedCount().isVisible()) {
      const label = (await this.confirm().textContent()) ?? "";
      await this.typedCount().fill(label.replace(/\D/g, ""));
    }
    await expect(this.confirm()).toBeEnabled();
    await this.confirm().click();
    await expect(this.root()).toBeHidden();
  }
}
