import { HistoryPage } from "../pages/history-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("viewer") });

test("a viewer can tick no build, sees every cancel control disabled with the reason (also on the build page), and the BFF refuses a forged request", async ({
  page,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  const builds = await pipeline.triggerMany(2);
  await pipeline.waitForCounts((c) => c.RUNNING === 2);
  const history = new HistoryPage(page);
  await history.goto(pipeline.path);
  await expect(history.cancelAllRunning()).toBeDisabled();
  await expect(history.cancelSelected()).toBeDisabled();
  await history.cancelAllRunning().hover({ force: true });
  await expect(page.getByRole("tooltip")).toContainText(
    "You need the developer role in this project to cancel builds.",
  );
  // That tooltip goes away before the next one is read (two would match the same words).
  await page.mouse.move(0, 0);
  await expect(page.getByRole("tooltip")).toHaveCount(0);
  // No row can be ticked, not even the running ones, and the header box neither.
  for (const build of builds) await expect(history.checkbox(build.number)).toBeDisabled();
  await expect(history.pageCheckbox()).toBeDisabled();
  await history.checkbox(builds[0]!.number).hover({ force: true });
  await expect(page.getByRole("tooltip").filter({ hasText: "developer role" })).toBeVisible();
  await expect(page.getByText(/\d+ selected/)).toHaveCount(0);

  // The build page's Cancel says why too.
  await history
    .row(builds[0]!.number)
    .getByRole("link", { name: `#${builds[0]!.number}` })
    .click();
  const cancel = page.getByRole("button", { name: "Cancel build" });
  await expect(cancel).toBeDisabled();
  await expect(page.getByText("You need the developer role in this project to cancel builds.")).toBeVisible();
  await cancel.hover({ force: true });
  await expect(page.getByRole("tooltip")).toContainText(
    "You need the developer role in this project to cancel builds.",
  );
  await page.goBack();

  // A request made from the page without the CSRF token, and one with it but as a viewer.
  const forged = await page.evaluate(
    async ([path, id]) => {
      const r = await fetch(`/api${path}/cancellations`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ buildIds: [id] }),
      });
      return { status: r.status, body: await r.json() };
    },
    [pipeline.path, builds[0]!.id] as const,
  );
  expect(forged.status).toBe(403);
  expect(forged.body.error.code).toBe("csrf_failed");
  const asViewer = await page.evaluate(
    async ([path, id]) => {
      const me = await (await fetch("/api/me")).json();
      const r = await fetch(`/api${path}/cancellations`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrfToken },
        body: JSON.stringify({ buildIds: [id] }),
      });
      return { status: r.status, body: await r.json() };
    },
    [pipeline.path, builds[0]!.id] as const,
  );
  expect(asViewer.status).toBe(403);
  expect(asViewer.body.error.code).toBe("forbidden");
  await pipeline.waitForCounts((c) => c.RUNNING === 2);
});
