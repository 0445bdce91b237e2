import { HistoryPage } from "../pages/history-page.ts";
import { SignInPage } from "../pages/sign-in-page.ts";
import { expect, test } from "../support/fixtures.ts";
import { OwnStack } from "../support/own-stack.ts";

const COUNT = 2000;

test("2,000 loaded builds: only rows near the viewport render; the header ticks all 2,000, a shift-click ticks a range across screens, and the range is canceled", async ({
  browser,
}) => {
  test.setTimeout(360_000);
  // A Sluice of its own without agent slots: all 2,000 builds stay queued, and no other story waits behind them.
  const stack = new OwnStack(0);
  await stack.start();
  try {
    await stack.api.project("big");
    await stack.api.pipeline("big", "web", {
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }],
    });
    for (let start = 0; start < COUNT; start += 20) {
      await Promise.all(Array.from({ length: 20 }, () => stack.api.trigger("big", "web")));
    }
    await expect.poll(async () => (await stack.api.counts("big", "web")).QUEUED).toBe(COUNT);

    const context = await browser.newContext({ baseURL: stack.url });
    const page = await context.newPage();
    const signIn = new SignInPage(page);
    await signIn.goto("/projects/big/pipelines/web");
    await signIn.signIn("admin", "own-admin-password");
    const history = new HistoryPage(page);
    await expect(history.table()).toBeVisible();
    await history.loadAll(COUNT);
    await expect(history.table()).toHaveAttribute("aria-rowcount", String(COUNT + 1));
    expect(await history.table().getByRole("checkbox").count()).toBeLessThan(100);

    await history.pageCheckbox().check();
    await expect(history.cancelSelected()).toHaveText(`Cancel selected (${COUNT})`);
    await expect(await history.scrollToBuild(1)).toBeChecked();
    await history.pageCheckbox().scrollIntoViewIfNeeded();
    await history.pageCheckbox().uncheck();
    await expect(history.cancelSelected()).toHaveText("Cancel selected (0)");

    // #2000 down to #1501: a range that spans many screens of rows never rendered together.
    await (await history.scrollToBuild(COUNT, "up")).check();
    await (await history.scrollToBuild(1501)).click({ modifiers: ["Shift"] });
    await expect(history.cancelSelected()).toHaveText("Cancel selected (500)");
    await expect(history.checkbox(1500)).not.toBeChecked();

    await history.cancelSelected().click();
    const dialog = history.dialog();
    await expect(dialog.root()).toContainText("0 running, 500 queued");
    await dialog.confirmWith("too many");
    await history.toast().expectSummary("500 canceled · 0 had already finished · 0 failed");
    await expect.poll(async () => stack.api.counts("big", "web")).toMatchObject({ CANCELED: 500, QUEUED: 1500 });
    await context.close();
  } finally {
    await stack.destroy();
  }
});
