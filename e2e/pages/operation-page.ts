/** An operation's page as a user sees it: its builds, and Force stop now on the stuck ones. */
import { expect, type Locator, type Page } from "@playwright/test";

export class OperationPage {
  constructor(readonly page: Page) {}

  readonly items = () => this.page.getByRole("table", { name: "Builds in this operation" });
  /** A build's row, found by its number's link. */
  row(number: number): Locator {
    return this.items()
      .getByRole("row")
      .filter({ has: this.page.getByRole("link", { name: `#${number}`, exact: true }) });
  }
  forceStop(number: number): Locator {
    return this.row(number).getByRole("button", { name: `Force stop build #${number} now` });
  }

  /** Force stop now, and yes in its confirmation. */
  async forceStopNow(number: number) {
    await this.forceStop(number).click();
    const confirm = this.page.locator(".ant-popover").filter({ hasText: `Force stop build #${number} now?` });
    await expect(confirm).toBeVisible();
    await confirm.getByRole("button", { name: "Force stop now" }).click();
  }
}
