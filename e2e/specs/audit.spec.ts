import fs from "node:fs";
import { AuditPage } from "../pages/audit-page.ts";
import { storageStateOf } from "../support/env.ts";
import { expect, test } from "../support/fixtures.ts";

test.describe("as a maintainer", () => {
  test.use({ storageState: storageStateOf("maint") });

  test("the audit log shows who canceled what and from where, links to the build and the operation, filters by who, and exports CSV", async ({
    page,
    api,
    makePipeline,
  }) => {
    const pipeline = await makePipeline();
    const [one] = await pipeline.triggerMany(1);
    await pipeline.waitForCounts((c) => c.RUNNING === 1);
    const reason = `audit story ${Date.now()}`;
    const res = await api.request("POST", `/v1/builds/${one!.id}/cancel`, { reason });
    expect(res.status).toBe(202);

    const audit = new AuditPage(page);
    await audit.goto(pipeline.project);
    await expect(
      page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "Audit log" }),
    ).toBeVisible();
    const row = audit.table().getByRole("row").filter({ hasText: reason });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("admin");
    await expect(row).toContainText("Cancel");
    await expect(row).toContainText("API");
    await expect(row.getByRole("link", { name: `${pipeline.name} #${one!.number}` })).toBeVisible();

    await audit.actorFilter().fill("dev");
    await audit.actorFilter().press("Enter");
    await expect(page).toHaveURL(/actor=dev/);
    await expect(audit.table().getByRole("row").filter({ hasText: reason })).toHaveCount(0);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect(row).toHaveCount(1);

    const [download] = await Promise.all([page.waitForEvent("download"), audit.exportCsv().click()]);
    expect(download.suggestedFilename()).toBe(`${pipeline.project}-audit.csv`);
    const csv = fs.readFileSync((await download.path()) as string, "utf8");
    expect(csv).toContain("time,actor,action,forced,source,project,pipeline,build,builds");
    expect(csv).toContain(`,admin,cancel,no,api,${pipeline.project},${pipeline.name},${one!.number},1,`);
    expect(csv).toContain(reason);

    await row.getByRole("link", { name: "View operation" }).click();
    await expect(page.getByRole("heading", { name: "Cancel of 1 build by admin", level: 1 })).toBeVisible();
  });
});

test.describe("as a developer", () => {
  test.use({ storageState: storageStateOf("dev") });

  test("the audit log is refused: no link to it, the page says why, and the BFF answers 403", async ({
    page,
    project,
  }) => {
    await page.goto(`/projects/${project}`);
    const sections = page.getByRole("navigation", { name: "Project sections" });
    await expect(sections.getByRole("link", { name: "Operations" })).toBeVisible();
    await expect(sections.getByRole("link", { name: "Audit log" })).toHaveCount(0);
    const audit = new AuditPage(page);
    await audit.goto(project);
    await expect(audit.forbidden()).toBeVisible();
    await expect(audit.table()).toHaveCount(0);
    for (const path of [`/api/projects/${project}/audit`, `/api/projects/${project}/audit.csv`]) {
      const res = await page.request.get(path);
      expect(res.status(), path).toBe(403);
      expect((await res.json()).error.code).toBe("forbidden");
    }
  });
});
