import { HistoryPage } from "../pages/history-page.ts";
import { sleeper } from "../support/engine-api.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev") });

test("above the project's confirmAbove the cancel asks to type the number of builds, and only that number confirms", async ({
  page,
  api,
}) => {
  // A project of its own: its guardrail must not reach the worker's other stories.
  const project = `guard-${test.info().workerIndex}-${Date.now().toString(36)}`;
  await api.project(project);
  await api.member(project, "dev", "developer");
  const set = await api.request("PUT", `/v1/projects/${project}`, { bulkCancel: { confirmAbove: 3 } });
  expect(set.status).toBe(200);
  await api.pipeline(project, "deploy", sleeper());
  for (let i = 0; i < 4; i++) await api.trigger(project, "deploy");
  await expect.poll(async () => (await api.counts(project, "deploy")).RUNNING).toBe(4);

  const history = new HistoryPage(page);
  await history.goto(`/projects/${project}/pipelines/deploy`);
  await history.cancelAllRunning().click();
  const dialog = history.dialog();
  await expect(dialog.typedCount()).toBeVisible();
  await expect(dialog.root().getByText("Type 4 to confirm")).toBeVisible();
  await expect(dialog.confirm()).toHaveText("Cancel 4 builds");
  await expect(dialog.confirm()).toBeDisabled();

  await dialog.typedCount().fill("3");
  await expect(dialog.confirm()).toBeDisabled();
  await dialog.typedCount().fill("4");
  await expect(dialog.confirm()).toBeEnabled();
  await dialog.confirm().click();
  await expect(dialog.root()).toBeHidden();

  await history.toast().expectSummary("4 canceled · 0 had already finished · 0 failed");
  await expect.poll(async () => (await api.counts(project, "deploy")).CANCELED).toBe(4);
});
