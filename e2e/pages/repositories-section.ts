/** The project page's Repositories section (maintainers) as a user sees it. */
import type { Locator, Page } from "@playwright/test";

export class RepositoriesSection {
  constructor(readonly page: Page) {}

  readonly section = () => this.page.getByRole("region", { name: "Repositories" });
  /** A repository's recent deliveries. */
  deliveries(repository: string): Locator {
    return this.page.getByRole("table", { name: `Recent deliveries of ${repository}` });
  }
}
