import { expect, test } from "@playwright/test";
import { HistoryPage } from "../pages/history-page.ts";
import { OperationPage } from "../pages/operation-page.ts";
import { SignInPage } from "../pages/sign-in-page.ts";
import { OwnStack } from "../support/own-stack.ts";

/** A step that ignores SIGTERM, with a grace period of a second. */
const stubborn = {
  cancelGraceSeconds: 1,
  stages: [{ name: "main", jobs: [{ name: "deploy", steps: [{ run: "trap '' TERM; echo started; sleep 600" }] }] }],
};

test("a build whose agent is frozen is slow to stop: the toast says so, and the operation page forces it", async ({
  browser,
}) => {
  // Its own Sluice: no in-process agent, a standalone one the story can freeze; the stop deadline
  // and the agent timeout far enough away that the person, not the sweeper, ends the build.
  const stack = new OwnStack(0, { SLUICE_STOP_ACK_TIMEOUT_SECONDS: "600", SLUICE_AGENT_TIMEOUT_SECONDS: "900" });
  await stack.start();
  try {
    await stack.api.project("ops");
    await stack.api.pipeline("ops", "deploy", stubborn);
    const agent = await stack.startAgent(`frozen-${process.pid}-${test.info().workerIndex}`);
    const build = await stack.api.trigger("ops", "deploy");
    await expect.poll(async () => (await stack.api.counts("ops", "deploy")).RUNNING).toBe(1);

    const context = await browser.newContext({ baseURL: stack.url });
    const page = await context.newPage();
    const signIn = new SignInPage(page);
    await signIn.goto("/projects/ops/pipelines/deploy");
    await signIn.signIn("admin", "own-admin-password");
    const history = new HistoryPage(page);
    await expect(history.table()).toBeVisible();

    agent.freeze();
    await history.cancelAllRunning().click();
    await history.dialog().confirmWith("release blocked");
    const toast = history.toast();
    await expect(toast.slowToStop()).toHaveText("1 build is slow to stop");

    await toast.viewOperation().click();
    // On the operation's page the toast has said what it had to, and it covers the table's corner.
    await toast.close();
    const operation = new OperationPage(page);
    const row = operation.row(build.number);
    await expect(row).toContainText(`on frozen-${process.pid}`);
    await expect(row).toContainText("last contact");
    await expect(row).toContainText("force-finalized in");
    await operation.forceStopNow(build.number);

    await expect(row.getByText("Canceled", { exact: true }).first()).toBeVisible();
    await expect(operation.forceStop(build.number)).toBeHidden();
    expect((await stack.api.build(build.id)).status).toBe("CANCELED");
    const audit = await stack.api.request("GET", "/v1/projects/ops/audit");
    expect(audit.body.items[0]).toMatchObject({ actor: "admin", forced: true, build: { id: build.id } });
    agent.thaw();
    await context.close();
  } finally {
    await stack.destroy();
  }
});
