import { ProjectPage } from "../pages/project-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev") });

test("the project page cancels a push storm across the chosen pipelines on one branch, and nothing else", async ({
  page,
  makePipeline,
}) => {
  const [web, api, docs] = [await makePipeline(), await makePipeline(), await makePipeline()];
  const branch = `storm-${Date.now().toString(36)}`;
  await web.triggerMany(3, { branch });
  await web.trigger({ branch: "main" });
  await api.triggerMany(2, { branch });
  await docs.triggerMany(2, { branch });
  for (const [p, n] of [
    [web, 4],
    [api, 2],
    [docs, 2],
  ] as const) {
    await p.waitForCounts((c) => c.RUNNING + c.QUEUED === n);
  }

  const project = new ProjectPage(page);
  await project.goto(web.project);
  await project.cancelRunning().click();
  const dialog = project.dialog();
  await expect(dialog.root()).toContainText(/Cancel \d+ builds?/);
  await project.branchChoice().fill(branch);
  await project.choosePipelines(web.name, api.name);
  await expect(dialog.root()).toContainText(new RegExp(`Cancel 5 builds on ${branch}: \\d+ running, \\d+ queued`));
  const perPipeline = dialog.root().getByRole("list", { name: "Per pipeline" });
  await expect(perPipeline).toContainText(`${web.name}: 3 builds, up to #3`);
  await expect(perPipeline).toContainText(`${api.name}: 2 builds, up to #2`);
  await dialog.confirmWith("push storm");

  await project.toast().expectSummary("5 canceled · 0 had already finished · 0 failed");
  await web.waitForCounts((c) => c.CANCELED === 3 && c.RUNNING + c.QUEUED === 1);
  await api.waitForCounts((c) => c.CANCELED === 2 && c.RUNNING + c.QUEUED === 0);
  await docs.waitForCounts((c) => c.CANCELED === 0 && c.RUNNING + c.QUEUED === 2);
});
