/**
 * Takes the README's screenshots of the running product: `npx tsx web/docs/screenshots.ts`.
 * Starts Sluice with the demo on a scratch data dir, signs in as admin in Debian's Chromium,
 * ticks running builds on demo/web-app, and captures the history page (with Run build and Go to #N),
 * the Run build dialog, the cancel dialog and the toast; re-runs what the cancel stopped from its
 * operation's page; captures the dialog of a cancel that meets protected builds; then the operations
 * centre, the operation (now linking to its re-run) and the audit log in the light and the dark
 * theme, and the history page 390 px wide.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { freePort } from "../../e2e/support/free-port.ts";
import { CHROMIUM } from "../../playwright.config.ts";

const out = path.resolve(import.meta.dirname);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-shots-"));
const [port, enginePort] = [await freePort(), await freePort()];
const server = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", "start"], {
  env: {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    PORT: String(port),
    SLUICE_ENGINE_PORT: String(enginePort),
    SLUICE_DATA_DIR: dataDir,
    SLUICE_ADMIN_PASSWORD: "screenshots",
    SLUICE_ADMIN_TOKEN: "screenshots-token",
    SLUICE_LOG_LEVEL: "warn",
    // Room for the demo's builds and the protected ones, so these start too.
    SLUICE_AGENT_SLOTS: "24",
  },
  stdio: "inherit",
});
const base = `http://127.0.0.1:${port}`;
const engine = `http://127.0.0.1:${enginePort}`;
try {
  const up = () =>
    fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
  for (let i = 0; i < 300 && !(await up()); i++) await new Promise((r) => setTimeout(r, 200));
  const asAdmin = (method: string, url: string, body: unknown) =>
    fetch(`${engine}${url}`, {
      method,
      headers: { Authorization: "Bearer screenshots-token", "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  // A migration job that must not be interrupted once started (a cancel leaves it running unless
  // forced), one at a time: the first build runs, the next two wait.
  await asAdmin("PUT", "/v1/projects/demo/pipelines/db-migrate-prod", {
    concurrency: { group: "prod", queueLength: 10 },
    stages: [{ name: "migrate", jobs: [{ name: "migrate", interruptible: false, steps: [{ run: "sleep 900" }] }] }],
  });
  for (const branch of ["main", "release/2.4", "main"]) {
    await asAdmin("POST", "/v1/projects/demo/pipelines/db-migrate-prod/builds", { branch });
  }
  const branches = ["feature/search", "fix/flaky-test", "main", "feature/i18n", "release/2.4"];
  for (const branch of branches) {
    const commit = Math.floor(Math.random() * 0xfffffff)
      .toString(16)
      .padStart(7, "0");
    await fetch(`${engine}/v1/projects/demo/pipelines/web-app/builds`, {
      method: "POST",
      headers: { Authorization: "Bearer screenshots-token", "Content-Type": "application/json" },
      body: JSON.stringify({ branch, commit }),
    });
  }
  const browser = await chromium.launch(CHROMIUM);
  const page = await browser.newPage({ baseURL: base, viewport: { width: 1366, height: 720 } });
  await page.goto("/sign-in?next=/projects/demo/pipelines/web-app");
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("screenshots");
  await page.getByRole("button", { name: "Sign in" }).click();
  const running = page
    .getByRole("table", { name: "Builds" })
    .getByRole("row")
    .filter({ hasText: "Running" })
    .getByRole("checkbox");
  await running.nth(1).waitFor();
  for (const i of [0, 1]) await running.nth(i).check();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(out, "history.png") });
  await page.getByRole("button", { name: "Run build" }).click();
  const run = page.getByRole("dialog", { name: "Run a build of web-app" });
  await run.getByLabel("Branch").fill("feature/search");
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(out, "run-build.png") });
  await page.keyboard.press("Escape");
  await run.waitFor({ state: "hidden" });
  await page.getByRole("button", { name: /^Cancel selected/ }).click();
  await page.getByRole("dialog").getByLabel("Reason (optional)").fill("bad push");
  // The dialog shows the server's preview once it has it.
  await page
    .getByRole("dialog")
    .getByText(/\d+ running, \d+ queued/)
    .waitFor();
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(out, "dialog.png") });
  await page
    .getByRole("dialog")
    .getByRole("button", { name: /^Cancel \d+ builds?$/ })
    .click();
  await page.getByText(/canceled · \d+ had already finished/).waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(out, "toast-summary.png") });
  await page.getByRole("link", { name: "View operation" }).click();
  await page.getByRole("table", { name: "Builds in this operation" }).getByText("Canceled").first().waitFor();
  // Re-run what it canceled: afterwards the page links to the re-run instead of offering it again.
  await page.getByRole("button", { name: "Re-run what this canceled" }).click();
  await page
    .getByRole("dialog")
    .getByRole("button", { name: /^Re-run \d+ builds?$/ })
    .click();
  await page.getByRole("link", { name: "View its re-run" }).waitFor();
  const operationUrl = page.url();

  // A cancel that meets protected builds says what will happen, and follows "Also stop protected builds".
  const protectedRunning = async () => {
    const r = await fetch(`${engine}/v1/projects/demo/pipelines/db-migrate-prod/builds/counts`, {
      headers: { Authorization: "Bearer screenshots-token" },
    });
    const counts: unknown = await r.json();
    return typeof counts === "object" && counts !== null && "RUNNING" in counts ? counts.RUNNING : undefined;
  };
  for (let i = 0; i < 300 && (await protectedRunning()) !== 1; i++) await new Promise((r) => setTimeout(r, 200));
  await page.goto("/projects/demo/pipelines/db-migrate-prod");
  await page.setViewportSize({ width: 1366, height: 960 });
  await page.getByRole("button", { name: "Cancel all running (3)" }).click();
  await page
    .getByRole("dialog")
    .getByText(/protected job/)
    .first()
    .waitFor();
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(out, "dialog-protected.png") });
  await page.keyboard.press("Escape");
  await page.setViewportSize({ width: 1366, height: 720 });
  await page.goto(operationUrl);
  await page.getByRole("link", { name: "View its re-run" }).waitFor();

  // No theme chosen yet: the page follows the system's preference, emulated here.
  for (const theme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await page.reload();
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.mouse.move(0, 0);
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(out, `operation-${theme}.png`) });
    await page.goto("/projects/demo/operations");
    await page.getByRole("table", { name: "Operations" }).getByRole("link").first().waitFor();
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(out, `operations-${theme}.png`) });
    await page.goto("/projects/demo/audit");
    await page.getByRole("table", { name: "Audit entries" }).getByRole("link").first().waitFor();
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(out, `audit-${theme}.png`) });
    await page.goBack();
    await page.goBack();
  }
  const narrow = await browser.newPage({
    baseURL: base,
    viewport: { width: 390, height: 844 },
    colorScheme: "dark",
    storageState: await page.context().storageState(),
  });
  await narrow.goto("/projects/demo/pipelines/web-app");
  await narrow.getByRole("table", { name: "Builds" }).getByRole("row").nth(1).waitFor();
  await narrow.waitForTimeout(1500);
  await narrow.screenshot({ path: path.join(out, "history-390-dark.png") });
  await browser.close();
} finally {
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
