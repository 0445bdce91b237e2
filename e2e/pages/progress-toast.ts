/** The toast that follows a cancel operation. */
import { expect, type Page } from "@playwright/test";

export class ProgressToast {
  constructor(readonly page: Page) {}

  readonly root = () => this.page.locator(".ant-notification-notice").last();
  readonly progress = () => this.root().getByRole("progressbar");

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
