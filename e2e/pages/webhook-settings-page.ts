/** A project's webhook settings as a maintainer sees them. */
import { expect, type Locator, type Page } from "@playwright/test";

export class WebhookSettingsPage {
  constructor(readonly page: Page) {}

  async goto(project: string) {
    await this.page.goto(`/projects/${project}/settings/webhooks`);
    await expect(this.page.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();
  }

  readonly table = () => this.page.getByRole("table", { name: "Webhooks" });
  row(url: string): Locator {
    return this.table().getByRole("row").filter({ hasText: url });
  }
  readonly deliveries = () => this.page.getByRole("table", { name: "Recent deliveries" });
  delivery(text: string | RegExp): Locator {
    return this.deliveries().getByRole("row").filter({ hasText: text });
  }

  async add(opts: { url: string; secret: string; events: string[] }) {
    await this.page.getByRole("button", { name: "Add webhook" }).click();
    const dialog = this.page.getByRole("dialog");
    await dialog.getByLabel("Payload URL").fill(opts.url);
    await dialog.getByLabel("Secret").fill(opts.secret);
    // "Bulk operation completed" starts ticked.
    for (const event of opts.events) {
      const box = dialog.getByRole("checkbox", { name: new RegExp(`^${event}`) });
      await box.check();
    }
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect(dialog).toBeHidden();
  }
}
