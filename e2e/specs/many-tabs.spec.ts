/**
 * Browsers open at most six connections per host over HTTP/1.1. A stream per toast and per tab
 * used them all up: with five slow cancels running, the dialog never got its preview, and a
 * seventh tab never loaded. The browser now holds one stream for all its tabs.
 */
import type { BrowserContext, Locator, Page } from "@playwright/test";
import { HistoryPage } from "../pages/history-page.ts";
import { OperationsPage } from "../pages/operations-page.ts";
import { ProjectPage } from "../pages/project-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect as baseExpect, test } from "../support/fixtures.ts";

// A developer of its own, and one story at a time: each keeps five cancels running, as many as a
// user may; run side by side, or beside other stories of the same user, the sixth is refused (429).
test.use({ storageState: storageStateOf("tabs") });
test.describe.configure({ mode: "default" });

// Eight tabs on a machine that runs the stack too: a page may take a while to load, but it loads.
// Before, a seventh connection never did.
const expect = baseExpect.configure({ timeout: 60_000 });

/** Its step ignores SIGTERM and the grace period is long: a cancel of it stays running. */
const STUBBORN = {
  cancelGraceSeconds: 600,
  stages: [
    {
      name: "main",
      jobs: [{ name: "work", steps: [{ run: "trap '' TERM; echo started; while true; do sleep 0.2; done" }] }],
    },
  ],
};

/** Every tab's live badge; a page without its stream says "Reconnecting…" instead. */
const live = (page: Page) => page.getByRole("status").getByText("Live", { exact: true });

/** Opens `path` in a new tab of the browser and waits until `loaded` shows and the page is live. */
async function newTab(context: BrowserContext, path: string, loaded: (page: Page) => Locator): Promise<Page> {
  const page = await context.newPage();
  await page.goto(path);
  await expect(loaded(page)).toBeVisible();
  await expect(live(page)).toBeVisible();
  return page;
}

for (const owner of ["a SharedWorker", "a leader tab (no SharedWorker)"]) {
  test(`five slow cancels and eight tabs leave every request free; the stream's owner is ${owner}`, async ({
    page,
    context,
    api,
    makePipeline,
  }) => {
    // Five cancels through the page, then eight tabs with their toasts: about a minute on a quiet
    // machine, several on one that also runs the stack and other suites.
    test.setTimeout(600_000);
    if (owner !== "a SharedWorker") {
      await context.addInitScript(() => {
        delete (window as { SharedWorker?: unknown }).SharedWorker;
      });
    }
    const pipeline = await makePipeline(STUBBORN);
    const builds = await pipeline.triggerMany(7);
    await pipeline.waitForCounts((c) => c.RUNNING === 7);
    const slow = builds.slice(0, 5);
    try {
      // Five cancels one by one, as many as a user may have running: each toast keeps counting.
      const history = new HistoryPage(page);
      await page.goto(pipeline.path);
      await expect(history.table()).toBeVisible();
      for (const b of slow) {
        await history.tick(b.number);
        await history.cancelSelected().click();
        await history.dialog().confirmWith("slow to stop");
        await history.expectStatus(b.number, "Canceling");
      }
      await expect(page.getByText("Canceling 1 build…")).toHaveCount(5);

      // Seven more tabs: each loads and is live (the history ones show the five toasts too).
      const historyTable = (p: Page) => new HistoryPage(p).table();
      const more: Page[] = [];
      for (let i = 0; i < 3; i++) more.push(await newTab(context, pipeline.path, historyTable));
      await expect(more[2]!.getByText("Canceling 1 build…")).toHaveCount(5);
      const centre = await newTab(context, `/projects/${pipeline.project}/operations`, (p) =>
        new OperationsPage(p).table(),
      );
      await newTab(context, `/projects/${pipeline.project}`, (p) => new ProjectPage(p).pipelines());
      await newTab(context, `/builds/${slow[0]!.id}`, (p) => p.getByRole("log"));
      const last = await newTab(context, pipeline.path, historyTable);

      // The operations centre lists the five running cancels.
      const rows = new OperationsPage(centre).rowsOf(pipeline.name);
      await expect(rows).toHaveCount(5);
      await expect(rows.filter({ hasText: "Running" })).toHaveCount(5);

      // The eighth tab's dialog gets its preview: the two builds still running, ready to confirm.
      const lastHistory = new HistoryPage(last);
      await lastHistory.cancelAllRunning().click();
      const dialog = lastHistory.dialog();
      await expect(dialog.confirm()).toHaveText("Cancel 2 builds");
      await expect(dialog.confirm()).toBeEnabled();
      await dialog.keep().click();
      await expect(dialog.root()).toBeHidden();

      // Every tab is still live.
      for (const tab of context.pages()) await expect(live(tab)).toBeVisible();
    } finally {
      // Stop the stubborn builds for good, so the user's five running operations end with the test.
      for (const b of builds) await api.request("POST", `/v1/builds/${b.id}/cancel`, { force: true });
      await expect
        .poll(async () => (await api.request("GET", `/v1/projects/${pipeline.project}/operations?status=running`)).body)
        .toMatchObject({ items: [] });
    }
  });
}
