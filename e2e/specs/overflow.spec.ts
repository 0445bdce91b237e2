import type { Page } from "@playwright/test";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.use({ storageState: storageStateOf("maint") });

/** How wide the page is against the window: more means it scrolls sideways. */
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

test("no page scrolls sideways at 390 px, and at 1366 px the operations centre and audit log show every column", async ({
  page,
  api,
  makePipeline,
}) => {
  const pipeline = await makePipeline();
  const builds = await pipeline.triggerMany(2);
  const cancel = await api.request(
    "POST",
    `/v1/projects/${pipeline.project}/pipelines/${pipeline.name}/builds/batch-cancel`,
    { buildIds: builds.map((b) => b.id), reason: "overflow story" },
  );
  expect(cancel.status).toBe(202);
  const buildPath = `${pipeline.path}/builds/${builds[0]!.number}`;

  await page.setViewportSize({ width: 390, height: 844 });
  // An old link by id moves to the build's number address.
  await page.goto(`/builds/${builds[0]!.id}`);
  await expect(page).toHaveURL(new RegExp(`${buildPath}$`));
  await expect(page.getByRole("heading", { name: `${pipeline.name} #${builds[0]!.number}` })).toBeVisible();
  expect(await overflow(page)).toBeLessThanOrEqual(0);

  await page.goto(`/operations/${cancel.body.id}`);
  // The outcome filter fits the phone: scrolled down to, every outcome is whole on screen.
  const protectedOutcome = page.getByLabel("Outcome").getByText("Protected", { exact: true });
  await protectedOutcome.scrollIntoViewIfNeeded();
  await expect(protectedOutcome).toBeInViewport({ ratio: 1 });
  expect(await overflow(page)).toBeLessThanOrEqual(0);

  for (const path of [
    `/projects/${pipeline.project}/operations`,
    `/projects/${pipeline.project}/audit`,
    pipeline.path,
  ]) {
    await page.goto(path);
    await expect(page.getByRole("table").first()).toBeVisible();
    expect(await overflow(page), path).toBeLessThanOrEqual(0);
  }

  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto(`/projects/${pipeline.project}/operations`);
  await expect(page.getByRole("columnheader", { name: "Duration" })).toBeInViewport({ ratio: 1 });
  await page.goto(`/projects/${pipeline.project}/audit`);
  await expect(page.getByRole("columnheader", { name: "Operation" })).toBeInViewport({ ratio: 1 });
});
