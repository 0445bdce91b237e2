import { HistoryPage } from "../pages/history-page.ts";
import { OperationsPage } from "../pages/operations-page.ts";
import { ProjectPage } from "../pages/project-page.ts";
import { RepositoriesSection } from "../pages/repositories-section.ts";
import { expectAccessible } from "../support/axe.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";
import { PushedRepository } from "../support/pushed-repository.ts";

test.use({ storageState: storageStateOf("maint") });

let repo: PushedRepository | undefined;
test.afterEach(() => repo?.remove());

test("two pushes with real git: the first build turns Canceled, superseded by #2, through one operation from the Repository", async ({
  page,
  api,
  project,
  makePipeline,
}) => {
  const name = `r${Date.now().toString(36)}`;
  repo = await PushedRepository.create(api, project, name);
  const pipeline = await makePipeline({
    repository: name,
    on: { push: { branches: ["**"] } },
    cancelGraceSeconds: 1,
    stages: [{ name: "build", jobs: [{ name: "build", steps: [{ run: "git log -1 --format=%s; sleep 300" }] }] }],
  });

  repo.commitAndPush("First change", { author: "Alice Example", pusher: "alice" });
  await pipeline.waitForCounts((c) => c.RUNNING + c.QUEUED === 1);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  await expect(history.row(1)).toContainText("First change");
  await expect(history.row(1)).toContainText("by Alice Example");
  await expect(history.row(1)).toContainText("push by alice");

  repo.commitAndPush("Second change", { author: "Alice Example", pusher: "alice" });
  await history.expectStatus(1, "Canceled");
  await expect(history.row(1)).toContainText("superseded by #2");
  await expect(history.row(2)).toContainText("Second change");

  const operations = new OperationsPage(page);
  await operations.goto(project);
  await expect(operations.rowsOf(pipeline.name).first()).toContainText("Repository");

  // The project page's Repositories section shows where the hook posts and what each push did.
  await new ProjectPage(page).goto(project);
  const repositories = new RepositoriesSection(page);
  await expect(repositories.section()).toContainText(`/v1/hooks/${project}/${name}`);
  const log = repositories.deliveries(name);
  await expect(log.getByRole("row").filter({ hasText: "canceled 1 build" })).toHaveCount(1);
  await expect(log.getByRole("link", { name: `${pipeline.name} #2` })).toBeVisible();
  await expectAccessible(page, "the project page with its repositories");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(repositories.section()).toBeVisible();
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, "the project page scrolls sideways at 390 px").toBeLessThanOrEqual(0);
});
