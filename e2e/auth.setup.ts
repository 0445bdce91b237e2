/** Signs in once per role through the page and saves each session for the specs. */
import { test as setup } from "@playwright/test";
import { SignInPage } from "./pages/sign-in-page.ts";
import { EngineApi } from "./support/engine-api.ts";
import { passwordOf, ROLES, storageStateOf } from "./support/env.ts";

setup("create users and sign in once per role", async ({ browser }) => {
  const api = new EngineApi();
  await api.ensureUser("dev", passwordOf("dev"));
  await api.ensureUser("viewer", passwordOf("viewer"));
  await api.ensureUser("maint", passwordOf("maint"));
  await api.ensureUser("tabs", passwordOf("tabs"));
  for (const role of ROLES) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const signIn = new SignInPage(page);
    await signIn.goto();
    await signIn.signIn(role, passwordOf(role));
    await signIn.expectSignedIn(role);
    await context.storageState({ path: storageStateOf(role) });
    await context.close();
  }
});
