import { expect, type Page } from "@playwright/test";

export class SignInPage {
  constructor(readonly page: Page) {}

  readonly username = () => this.page.getByLabel("Username");
  readonly password = () => this.page.getByLabel("Password");
  readonly submit = () => this.page.getByRole("button", { name: "Sign in" });

  async goto(next?: string) {
    await this.page.goto(next ? `/sign-in?next=${encodeURIComponent(next)}` : "/sign-in");
  }

  async signIn(username: string, password: string) {
    await this.username().fill(username);
    await this.password().fill(password);
    await this.submit().click();
  }

  async expectSignedIn(username: string) {
    await expect(this.page.getByText(username, { exact: true }).first()).toBeVisible();
  }
}
