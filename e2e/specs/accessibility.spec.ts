import { AuditPage } from "../pages/audit-page.ts";
import { HistoryPage } from "../pages/history-page.ts";
import { OperationsPage } from "../pages/operations-page.ts";
import { expectAccessible } from "../support/axe.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

// A maintainer sees every page, the audit log included.
test.use({ storageState: storageStateOf("maint") });

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`in the ${colorScheme} theme`, () => {
    test.use({ colorScheme });

    test("the history page, the dialog, the toast, the operation, the operations centre and the audit log have no serious accessibility violation", async ({
      page,
      makePipeline,
    }) => {
      // Six axe runs over big pages: on a loaded 2-core machine that is minutes, not seconds.
      test.setTimeout(300_000);
      const pipeline = await makePipeline();
      const builds = await pipeline.triggerMany(3);
      // Queued or running, either can be ticked and canceled: the page is what is checked here.
      await pipeline.waitForCounts((c) => c.RUNNING + c.QUEUED === 3);
      const history = new HistoryPage(page);
      await history.goto(pipeline.path);
      await expect(page.locator("html")).toHaveAttribute("data-theme", colorScheme);
      await history.tick(builds[0]!.number);
      await expectAccessible(page, "history page");

      await history.cancelSelected().click();
      await expect(history.dialog().root()).toBeVisible();
      await expectAccessible(page, "cancel dialog");
      await history.dialog().confirmWith();
      await history.toast().expectSummary("1 canceled · 0 had already finished · 0 failed");
      await history.toast().hold();
      // The summary closes by itself after 10 s; six slow axe runs later it may be gone, so the
      // operation is reached by the link's address rather than by clicking it.
      const operationPath = await page.getByRole("link", { name: "View operation" }).getAttribute("href");
      await expect(history.toast().root()).toBeVisible();
      await expectAccessible(page, "progress toast", { keepPointer: true });

      await page.goto(operationPath as string);
      await expect(page.getByRole("heading", { name: "Cancel of 1 build by maint", level: 1 })).toBeVisible();
      await expect(page.getByRole("table", { name: "Builds in this operation" }).getByRole("row")).toHaveCount(2);
      await expectAccessible(page, "operation page");

      const operations = new OperationsPage(page);
      await operations.goto(pipeline.project);
      await expect(operations.rowsOf(pipeline.name)).toHaveCount(1);
      await expectAccessible(page, "operations centre");

      const audit = new AuditPage(page);
      await audit.goto(pipeline.project);
      await expect(audit.table().getByRole("row").filter({ hasText: pipeline.name }).first()).toBeVisible();
      await expectAccessible(page, "audit log");
    });
  });
}

test("the header checkbox is one Tab stop, followed by the rows' checkboxes, each named after its build", async ({
  page,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  const builds = await pipeline.triggerMany(2);
  await pipeline.waitForCounts((c) => c.RUNNING === 2);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  await expect(history.pageCheckbox()).toBeEnabled();

  // Tab from the top of the page to the last row's link, noting each stop's name.
  const [newest, older] = [builds[1]!.number, builds[0]!.number];
  const stops: string[] = [];
  await page.locator("body").focus();
  for (let i = 0; i < 60 && stops.at(-1) !== `#${older}`; i++) {
    await page.keyboard.press("Tab");
    stops.push(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.getAttribute("aria-label") ?? el?.textContent?.trim() ?? "";
      }),
    );
  }
  const header = "Select all active builds on this page";
  expect(stops.filter((s) => s === header)).toHaveLength(1);
  const at = stops.indexOf(header);
  expect(stops.slice(at + 1, at + 3)).toEqual([`Select build #${newest}`, `#${newest}`]);
  expect(stops).toContain(`Select build #${older}`);
  // The focused header box ticks with the keyboard.
  await history.pageCheckbox().focus();
  await page.keyboard.press("Space");
  await expect(history.cancelSelected()).toHaveText("Cancel selected (2)");
});
