/** The project's audit log as a user sees it. */
import { expect, type Page } from "@playwright/test";

export class AuditPage {
  constructor(readonly page: Page) {}

  async goto(project: string) {
    await this.page.goto(`/projects/${project}/audit`);
    await expect(this.page.getByRole("heading", { name: "Audit log", level: 1 }).or(this.forbidden())).toBeVisible();
  }

  readonly table = () => this.page.getByRole("table", { name: "Audit entries" });
  readonly actorFilter = () => this.page.getByRole("combobox", { name: "Who" });
  readonly exportCsv = () => this.page.getByRole("link", { name: "Export CSV" });
  readonly forbidden = () => this.page.getByText("Maintainers and admins only", { exact: true });
}
