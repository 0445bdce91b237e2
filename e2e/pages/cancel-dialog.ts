/** The confirmation dialog of a cancel. */
import { expect, type Page } from "@playwright/test";

export class CancelDialog {
  constructor(readonly page: Page) {}

  readonly root = () => this.page.getByRole("dialog");
  readonly confirm = () => this.root().getByRole("button", { name: /^Cancel \d+ builds?$/ });
  readonly keep = () => this.root().getByRole("button", { name: "Keep running" });
  readonly reason = () => this.root().getByLabel("Reason (optional)");

  async confirmWith(reason?: string) {
    await expect(this.root()).toBeVisible();
    if (reason) await this.reason().fill(reason);
    await this.confirm().click();
    await expect(this.root()).toBeHidden();
  }
}
