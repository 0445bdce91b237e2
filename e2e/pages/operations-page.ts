/** The project's operations centre as a user sees it. */
import { expect, type Locator, type Page } from "@playwright/test";

export class OperationsPage {
  constructor(readonly page: Page) {}

  async goto(project: string, query = "") {
    await this.page.goto(`/projects/${project}/operations${query}`);
    await expect(this.page.getByRole("heading", { name: "Operations", level: 1 })).toBeVisible();
  }

  readonly table = () => this.page.getByRole("table", { name: "Operations" });
  /** The rows of operations on this pipeline. */
  rowsOf(pipeline: string): Locator {
    return this.table()
      .getByRole("row")
      .filter({ has: this.page.getByRole("link", { name: pipeline, exact: true }) });
  }
  readonly sourceFilter = () => this.page.getByRole("combobox", { name: "Source" });
  readonly whoFilter = () => this.page.getByRole("combobox", { name: "Requested by" });
  readonly statusFilter = () => this.page.getByRole("combobox", { name: "Status" });

  /** Picks an option of one of the filter selects (antd's visible option carries its label as title). */
  async choose(select: Locator, option: string) {
    await select.click();
    await this.page
      .locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden)")
      .getByTitle(option, { exact: true })
      .click();
    await this.page.keyboard.press("Escape");
  }
}
