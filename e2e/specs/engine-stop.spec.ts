import { expect, test } from "@playwright/test";
import { HistoryPage } from "../pages/history-page.ts";
import { SignInPage } from "../pages/sign-in-page.ts";
import { OwnStack } from "../support/own-stack.ts";

/** Steps that ignore SIGTERM past the test's stop of the engine: the cancel is still under way then. */
const stubborn = {
  cancelGraceSeconds: 15,
  stages: [
    {
      name: "main",
      jobs: [{ name: "work", steps: [{ run: "trap '' TERM; echo started; while true; do sleep 0.2; done" }] }],
    },
  ],
};

test("the engine stops during a cancel: the page says so, recovers when it is back, and no build is left CANCELING", async ({
  browser,
}) => {
  const stack = new OwnStack();
  await stack.start();
  try {
    await stack.api.project("ops");
    await stack.api.pipeline("ops", "deploy", stubborn);
    const builds: { id: number; number: number }[] = [];
    for (let i = 0; i < 4; i++) builds.push(await stack.api.trigger("ops", "deploy"));
    await expect.poll(async () => (await stack.api.counts("ops", "deploy")).RUNNING).toBe(4);

    const context = await browser.newContext({ baseURL: stack.url });
    const page = await context.newPage();
    const signIn = new SignInPage(page);
    await signIn.goto("/projects/ops/pipelines/deploy");
    await signIn.signIn("admin", "own-admin-password");
    const history = new HistoryPage(page);
    await expect(history.table()).toBeVisible();
    await history.cancelAllRunning().click();
    await history.dialog().confirmWith("engine maintenance");
    for (const b of builds) await history.expectStatus(b.number, "Canceling");

    await stack.stopEngine();
    await expect(page.getByText("Reconnecting…")).toBeVisible();

    await stack.startEngine();
    for (const b of builds) await history.expectStatus(b.number, "Canceled");
    await history.toast().expectSummary("4 canceled · 0 had already finished · 0 failed");
    const counts = await stack.api.counts("ops", "deploy");
    expect(counts.CANCELING).toBe(0);
    expect(counts.CANCELED).toBe(4);
    await context.close();
  } finally {
    await stack.destroy();
  }
});
