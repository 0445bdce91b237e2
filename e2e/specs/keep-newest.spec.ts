import { HistoryPage } from "../pages/history-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev") });

const DEPLOY = {
  cancelGraceSeconds: 2,
  stages: [{ name: "deploy", jobs: [{ name: "apply", steps: [{ name: "kubectl apply", run: "sleep 600" }] }] }],
};

test("'… all but the newest per branch' from the history page shows what it keeps and what it costs, and the kept builds are still running afterwards", async ({
  page,
  makePipeline,
  api,
}) => {
  const pipeline = await makePipeline(DEPLOY);
  const builds: Record<string, { id: number; number: number }[]> = { "feat/a": [], "feat/b": [], "feat/c": [] };
  for (let i = 0; i < 2; i++) {
    for (const branch of Object.keys(builds)) builds[branch]?.push(await pipeline.trigger({ branch }));
  }
  await pipeline.waitForCounts((c) => c.RUNNING === 6);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  await history.cancelAllButNewest().click();

  const dialog = history.dialog();
  await expect(dialog.root()).toContainText("Kept: the newest build of each of 3 branches");
  const impact = dialog.root().getByRole("group", { name: "Impact" });
  await expect(impact).toContainText(/^Stops 3 running builds on 1 agent \(.+ of work done\)/);
  await expect(impact).toContainText("In flight: 3 in stage deploy, step kubectl apply");
  await impact.getByRole("button", { name: /Details/ }).click();
  await expect(impact.getByText("Running builds per agent")).toBeVisible();
  // The README's picture of the dialog: SLUICE_E2E_SCREENSHOTS=1 npx playwright test keep-newest
  if (process.env.SLUICE_E2E_SCREENSHOTS) await page.screenshot({ path: "web/docs/dialog-impact.png" });
  await dialog.confirmWith();

  await history.toast().expectSummary("3 canceled · 0 had already finished · 0 failed");
  await pipeline.waitForCounts((c) => c.CANCELED === 3 && c.RUNNING === 3 && c.CANCELING === 0);
  for (const [older, newest] of Object.values(builds)) {
    expect((await api.build(older!.id)).status).toBe("CANCELED");
    expect((await api.build(newest!.id)).status).toBe("RUNNING");
  }
});
