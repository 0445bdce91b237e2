/** The toast that follows a cancel operation. */
import { expect, type Page } from "@playwright/test";

export class ProgressToast {
  constructor(readonly page: Page) {}

  readonly root = () => this.page.locator(".ant-notification-notice").last();
  readonly progress = () => this.root().getByRole("progressbar");
  /** "3 builds are slow to stop": the operation has stuck builds. */
  readonly slowToStop = () => this.root().getByText(/^\d+ builds? (is|are) slow to stop$/);
  readonly viewOperation = () => this.root().getByRole("link", { name: "View operation" });

  /** Closes it, as a person done with it would (it sits over the page's bottom right corner). */
  async close() {
    await this.root().getByRole("button", { name: /close/i }).click();
    await expect(this.page.locator(".ant-notification-notice")).toHaveCount(0);
  }

  /** The summary line, e.g. "3 canceled · 0 had already finished · 0 failed". */
  async expectSummary(summary: string) {
    await expect(this.page.getByText(summary)).toBeVisible();
  }

  /**
   * Keeps a summary toast open (it closes by itself after 10 s, but not while the pointer is on
   * it, as a person reading it would), for checks that take longer on a loaded machine.
   */
  async hold() {
    await this.root().hover();
  }
}
