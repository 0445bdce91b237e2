import { HistoryPage } from "../pages/history-page.ts";
import { OperationsPage } from "../pages/operations-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("dev") });

test("a bulk cancel appears live in the operations centre, the filters narrow the list, and its link leads to the operation", async ({
  page,
  context,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  const builds = await pipeline.triggerMany(3);
  await pipeline.waitForCounts((c) => c.RUNNING === 3);
  const operations = new OperationsPage(page);
  await operations.goto(pipeline.project);
  await expect(operations.page.getByRole("status").getByText("Live")).toBeVisible();
  await expect(operations.rowsOf(pipeline.name)).toHaveCount(0);

  // Another tab cancels; this one shows it without a reload.
  const other = await context.newPage();
  const history = new HistoryPage(other);
  await history.goto(pipeline.path);
  await history.tick(...builds.map((b) => b.number));
  await history.cancelSelected().click();
  await history.dialog().confirmWith("bad push");
  await history.toast().expectSummary("3 canceled · 0 had already finished · 0 failed");
  await other.close();

  const row = operations.rowsOf(pipeline.name);
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Cancel of 3 builds by dev");
  await expect(row).toContainText("3 builds chosen one by one");
  await expect(row).toContainText("Person");
  await expect(row).toContainText("bad push");
  await expect(row).toContainText("Completed");
  await expect(
    row.getByRole("img", { name: "3 canceled, 0 already finished, 0 failed, 0 protected, 0 pending" }),
  ).toBeVisible();

  // Filters live in the URL and narrow the list.
  await operations.choose(operations.sourceFilter(), "API");
  await expect(page).toHaveURL(/source=api/);
  await expect(operations.rowsOf(pipeline.name)).toHaveCount(0);
  await page.getByRole("button", { name: "Clear filters" }).click();
  await operations.whoFilter().fill("dev");
  await operations.whoFilter().press("Enter");
  await expect(page).toHaveURL(/requestedBy=dev/);
  await operations.choose(operations.statusFilter(), "Completed");
  await expect(page).toHaveURL(/status=completed/);
  await expect(operations.rowsOf(pipeline.name)).toHaveCount(1);
  await operations.choose(operations.statusFilter(), "Running");
  await expect(operations.rowsOf(pipeline.name)).toHaveCount(0);

  await page.getByRole("button", { name: "Clear filters" }).click();
  await operations.rowsOf(pipeline.name).getByRole("link", { name: "Cancel of 3 builds by dev" }).click();
  await expect(page.getByRole("heading", { name: "Cancel of 3 builds by dev", level: 1 })).toBeVisible();
  await expect(page).toHaveTitle(/^Cancel of 3 builds by dev · /);
  const details = page.getByRole("group", { name: "Cancel of 3 builds by dev" });
  await expect(details).toContainText("3 builds chosen one by one");
  await expect(details).toContainText("bad push");
  await expect(page.getByRole("table", { name: "Builds in this operation" }).getByRole("row")).toHaveCount(4);
  await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Operations" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${pipeline.project}/operations$`));
});
