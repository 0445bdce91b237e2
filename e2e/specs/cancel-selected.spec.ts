import { processesOfBuild } from "../../engine/test/processes.ts";
import { HistoryPage } from "../pages/history-page.ts";
import { E2E, storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev") });

test("tick three running builds, confirm, watch the toast count to 3 and the rows turn Canceled; the processes are gone", async ({
  page,
  api,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  const builds = await pipeline.triggerMany(5);
  await pipeline.waitForCounts((c) => c.RUNNING === 5);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  const [a, b, c] = builds.map((x) => x.number);
  await history.tick(a!, b!, c!);
  await expect(history.cancelSelected()).toHaveText("Cancel selected (3)");
  await history.cancelSelected().click();
  const dialog = history.dialog();
  await expect(dialog.root()).toContainText("3 builds");
  await dialog.confirmWith("bad push");

  await history.toast().expectSummary("3 canceled · 0 had already finished · 0 failed");
  for (const n of [a!, b!, c!]) {
    await history.expectStatus(n, "Canceled");
    await expect(history.row(n)).toContainText("bad push");
  }
  for (const n of [builds[3]!.number, builds[4]!.number]) await history.expectStatus(n, "Running");
  // The engine has each job's stop acknowledged (its agent does so once the process group is
  // gone), and no process of those builds is left on the machine.
  for (const build of builds.slice(0, 3)) {
    const detail = await api.build(build.id);
    expect(detail.jobs.map((j: { status: string }) => j.status)).toEqual(["CANCELED"]);
    expect(await processesOfBuild(E2E.workDir, build.id)).toEqual([]);
  }
});
