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
}
