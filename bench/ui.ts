/**
 * `npm run bench -- ui [--builds 1000]`: N running builds (simulated agents acknowledge stops
 * through the real agent channel), the history page in Chromium, "Cancel all running", confirm.
 * Reports the time from the confirm click until every visible row shows Canceled and the toast
 * shows the summary, and how many SSE messages the page received meanwhile.
 */
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { Browser as ApiBrowser, startStack } from "../bff/test/harness.ts";
import { ensureWebBuild, WEB_DIST } from "../cli/web-build.ts";
import { seedBuilds } from "../engine/test/seed.ts";
import { SimAgent } from "../engine/test/sim-agent.ts";
import { CHROMIUM } from "../playwright.config.ts";
import { machine, table, writeResult } from "./lib.ts";

export async function benchUi(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { builds: { type: "string", default: "1000" }, json: { type: "string" } },
  });
  const n = Number(values.builds);
  await ensureWebBuild((msg) => process.stderr.write(`${msg}\n`));
  const stack = await startStack({
    db: { name: "sqlite" },
    slots: 0,
    webDist: WEB_DIST,
    settings: { batchCancelMaxIds: Math.max(10_000, n) },
  });
  const sims = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      new SimAgent(stack.engine.engine.channel, `ui-${i}`, { slots: 0, waitMs: 20_000 }).start(),
    ),
  );
  const browser = await chromium.launch(CHROMIUM);
  try {
    const p = await stack.engine.api.pipeline("bench", "ui", {
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "sleep 600" }] }] }],
    });
    await seedBuilds(stack.engine, p, n, { status: () => "RUNNING", agents: sims.map((s) => s.name) });
    const api = new ApiBrowser(stack.bff.url);
    await api.signIn("admin", "test-admin-password");
    const context = await browser.newContext({ baseURL: stack.bff.url });
    const [name, value] = (api.cookie as string).split("=") as [string, string];
    await context.addCookies([{ name, value, url: stack.bff.url }]);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    let messages = 0;
    cdp.on("Network.eventSourceMessageReceived", () => messages++);
    await page.goto("/projects/bench/pipelines/ui");
    const allRunning = page.getByRole("button", { name: `Cancel all running (${n})` });
    await allRunning.waitFor({ timeout: 60_000 });
    await allRunning.click();
    const confirm = page.getByRole("dialog").getByRole("button", { name: `Cancel ${n} builds` });
    await confirm.waitFor();
    const before = messages;
    const started = performance.now();
    await confirm.click();
    const summary = page.getByText(`${n} canceled · 0 had already finished · 0 failed`);
    const busy = page.getByRole("table", { name: "Builds" }).getByText(/^(Running|Canceling)$/);
    for (;;) {
      if ((await summary.count()) > 0 && (await busy.count()) === 0) break;
      await page.waitForTimeout(10);
    }
    const ms = Math.round(performance.now() - started);
    const sse = messages - before;
    process.stdout.write(
      `UI: cancel all ${n} running builds\n${table([{ builds: n, confirmToDoneMs: ms, sseMessages: sse }])}\n`,
    );
    const result = {
      benchmark: "ui",
      builds: n,
      confirmToDoneMs: ms,
      sseMessages: sse,
      machine: machine(),
      at: new Date().toISOString(),
    };
    process.stderr.write(`wrote ${writeResult(values.json ?? "ui.json", result)}\n`);
    return 0;
  } finally {
    await browser.close();
    for (const s of sims) await s.stop();
    await stack.destroy();
  }
}
