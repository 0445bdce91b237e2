/**
 * `npm run bench -- ui [--builds 1000] [--loaded 2000] [--rounds 7] [--burners 0]`: the history page in Chromium against a real
 * engine and BFF, with simulated agents that acknowledge stops through the real agent channel.
 *
 * 1. Cancel all running: N running builds, "Cancel all running", confirm; the time from the
 *    confirm click until every visible row shows Canceled and the toast shows the summary, and
 *    the SSE messages the page received meanwhile.
 * 2. Big pages: M running builds, all M rows loaded (scrolled in page by page); the header box
 *    ticked and unticked, timed in the page from the click until every rendered row shows the new
 *    state and the toolbar the new count (the same with only the first 50 rows loaded, to compare);
 *    then "Cancel selected (M)", confirm, until the summary and no Running row is left.
 *
 * `--burners N` keeps N busy-looping processes running meanwhile (a loaded machine); `--builds 0`
 * leaves out the first part.
 */
import { type ChildProcess, spawn } from "node:child_process";
import os from "node:os";
import { parseArgs } from "node:util";
import { type BrowserContext, chromium, type Page } from "@playwright/test";
import { Browser as ApiBrowser, type Stack, startStack } from "../bff/test/harness.ts";
import { ensureWebBuild, WEB_DIST } from "../cli/web-build.ts";
import { seedBuilds } from "../engine/test/seed.ts";
import { SimAgent } from "../engine/test/sim-agent.ts";
import { CHROMIUM } from "../playwright.config.ts";
import { machine, stats, table, writeResult } from "./lib.ts";

const SLEEPER = { stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "sleep 600" }] }] }] };

export async function benchUi(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      builds: { type: "string", default: "1000" },
      loaded: { type: "string", default: "2000" },
      rounds: { type: "string", default: "7" },
      burners: { type: "string", default: "0" },
      json: { type: "string" },
    },
  });
  const n = Number(values.builds);
  const loaded = Number(values.loaded);
  const rounds = Number(values.rounds);
  const burners = Number(values.burners);
  await ensureWebBuild((msg) => process.stderr.write(`${msg}\n`));
  const stack = await startStack({
    db: { name: "sqlite" },
    slots: 0,
    webDist: WEB_DIST,
    settings: { batchCancelMaxIds: Math.max(10_000, n, loaded), maxRunningOperationsPerUser: 100 },
  });
  const sims = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      new SimAgent(stack.engine.engine.channel, `ui-${i}`, { slots: 0, waitMs: 20_000 }).start(),
    ),
  );
  const browser = await chromium.launch(CHROMIUM);
  const burning = startBurners(burners);
  try {
    const loadAtStart = os.loadavg()[0];
    const context = await signedInContext(stack, browser);
    const cancelAll = n > 0 ? await benchCancelAll(stack, context, sims, n) : undefined;
    const bigPages = await benchBigPages(stack, context, sims, loaded, rounds);
    const loadAtEnd = os.loadavg()[0];
    if (cancelAll) {
      process.stdout.write(
        `UI: cancel all ${n} running builds\n${table([{ builds: n, confirmToDoneMs: cancelAll.confirmToDoneMs, sseMessages: cancelAll.sseMessages }])}\n\n`,
      );
    }
    process.stdout.write(
      `UI: header tick with ${loaded} loaded rows (and with 50), then cancel them\n${table([
        {
          loadedRows: 50,
          tickMedianMs: bigPages.tick50.medianMs,
          tickP95Ms: bigPages.tick50.p95Ms,
          tickMaxMs: bigPages.tick50.maxMs,
          untickMedianMs: bigPages.untick50.medianMs,
          confirmToSummaryMs: "",
        },
        {
          loadedRows: loaded,
          tickMedianMs: bigPages.tick.medianMs,
          tickP95Ms: bigPages.tick.p95Ms,
          tickMaxMs: bigPages.tick.maxMs,
          untickMedianMs: bigPages.untick.medianMs,
          confirmToSummaryMs: bigPages.confirmToSummaryMs,
        },
      ])}\n`,
    );
    const result = {
      benchmark: "ui",
      builds: n,
      confirmToDoneMs: cancelAll?.confirmToDoneMs,
      sseMessages: cancelAll?.sseMessages,
      bigPages: { loadedRows: loaded, rounds, ...bigPages },
      load: { burners, loadAverage1m: { atStart: loadAtStart, atEnd: loadAtEnd } },
      targets: { tickMs: 150, confirmToSummaryMs: 3000 },
      machine: machine(),
      at: new Date().toISOString(),
    };
    process.stderr.write(`wrote ${writeResult(values.json ?? "ui.json", result)}\n`);
    return 0;
  } finally {
    for (const b of burning) b.kill("SIGKILL");
    await browser.close();
    for (const s of sims) await s.stop();
    await stack.destroy();
  }
}

/** N processes that spin a core each: the "loaded machine" variant. */
function startBurners(count: number): ChildProcess[] {
  return Array.from({ length: count }, () => spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" }));
}

async function signedInContext(stack: Stack, browser: Awaited<ReturnType<typeof chromium.launch>>) {
  const api = new ApiBrowser(stack.bff.url);
  await api.signIn("admin", "test-admin-password");
  const context = await browser.newContext({ baseURL: stack.bff.url, viewport: { width: 1280, height: 800 } });
  const [name, value] = (api.cookie as string).split("=") as [string, string];
  await context.addCookies([{ name, value, url: stack.bff.url }]);
  return context;
}

async function runningPipeline(stack: Stack, sims: SimAgent[], name: string, count: number): Promise<string> {
  const p = await stack.engine.api.pipeline("bench", name, SLEEPER);
  await seedBuilds(stack.engine, p, count, { status: () => "RUNNING", agents: sims.map((s) => s.name) });
  return `/projects/bench/pipelines/${name}`;
}

/** From the confirm click until the toast has the summary and no visible row is still running. */
async function confirmUntilSummary(page: Page, count: number): Promise<number> {
  const confirm = page.getByRole("dialog").getByRole("button", { name: `Cancel ${count} builds` });
  await confirm.waitFor();
  // Above the project's confirmAbove (100 by default) the dialog asks for the number, typed first.
  const typed = page.getByRole("dialog").getByLabel(/Type \d+ to confirm$/);
  if (await typed.isVisible()) await typed.fill(String(count));
  const started = performance.now();
  await confirm.click();
  const summary = page.getByText(`${count} canceled · 0 had already finished · 0 failed`);
  const busy = page.getByRole("table", { name: "Builds" }).getByText(/^(Running|Canceling)$/);
  for (;;) {
    if ((await summary.count()) > 0 && (await busy.count()) === 0) break;
    await page.waitForTimeout(10);
  }
  return Math.round(performance.now() - started);
}

async function benchCancelAll(stack: Stack, context: BrowserContext, sims: SimAgent[], n: number) {
  const path = await runningPipeline(stack, sims, "ui", n);
  const page = await context.newPage();
  // The page's stream is the browser's one stream, held by a SharedWorker where there is one; its
  // messages are counted on the page's own connection, as when no SharedWorker exists (a leader tab).
  await page.addInitScript(() => {
    delete (window as { SharedWorker?: unknown }).SharedWorker;
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let messages = 0;
  cdp.on("Network.eventSourceMessageReceived", () => messages++);
  await page.goto(path);
  const allRunning = page.getByRole("button", { name: `Cancel all running (${n})` });
  await allRunning.waitFor({ timeout: 60_000 });
  await allRunning.click();
  const before = messages;
  const confirmToDoneMs = await confirmUntilSummary(page, n);
  await page.close();
  return { confirmToDoneMs, sseMessages: messages - before };
}

async function benchBigPages(stack: Stack, context: BrowserContext, sims: SimAgent[], loaded: number, rounds: number) {
  const path = await runningPipeline(stack, sims, "big", loaded);
  const page = await context.newPage();
  await page.goto(path);
  await page.getByRole("button", { name: `Cancel all running (${loaded})` }).waitFor({ timeout: 60_000 });

  // The first page only: the header box ticks its 50 rows.
  const [tick50, untick50] = await tickRounds(page, 50, rounds);
  await loadEverything(page, loaded);
  const [tick, untick] = await tickRounds(page, loaded, rounds);

  await timedHeaderClick(page, loaded);
  await page.getByRole("button", { name: `Cancel selected (${loaded})` }).click();
  const confirmToSummaryMs = await confirmUntilSummary(page, loaded);
  await page.close();
  return {
    tick50: stats(tick50),
    untick50: stats(untick50),
    tick: stats(tick),
    untick: stats(untick),
    tickSamplesMs: tick,
    confirmToSummaryMs,
  };
}

/** Scrolls the page down (the next page loads as its button comes into view) until every row is loaded. */
async function loadEverything(page: Page, count: number): Promise<void> {
  const done = page.getByText(`All ${count} builds shown`);
  const more = page.getByRole("button", { name: "Load older builds" });
  while ((await done.count()) === 0) {
    await page.mouse.wheel(0, 20_000);
    if ((await more.count()) > 0) await more.click({ timeout: 5_000 }).catch(() => {});
    await page.waitForTimeout(20);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
}

async function tickRounds(page: Page, count: number, rounds: number): Promise<[number[], number[]]> {
  const ticks: number[] = [];
  const unticks: number[] = [];
  for (let i = 0; i < rounds; i++) {
    ticks.push(await timedHeaderClick(page, count));
    unticks.push(await timedHeaderClick(page, 0));
  }
  return [ticks, unticks];
}

/**
 * Clicks the header box and measures, inside the page, until the frame after every rendered row
 * shows the new state and the toolbar says "Cancel selected (expected)". Plain JavaScript source:
 * tsx would wrap named functions in a helper the page does not have.
 */
function timedHeaderClick(page: Page, expected: number): Promise<number> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const want = ${expected};
    const header = document.querySelector('input[aria-label="Select all active builds on this page"]');
    if (!header) return reject(new Error("no header checkbox"));
    const started = performance.now();
    header.click();
    const poll = () => {
      const button = [...document.querySelectorAll("button")].some(
        (b) => b.textContent.trim() === "Cancel selected (" + want + ")",
      );
      const rows = [...document.querySelectorAll('input[aria-label^="Select build #"]')];
      if (button && rows.length > 0 && rows.every((r) => r.checked === want > 0)) {
        requestAnimationFrame(() => resolve(Math.round((performance.now() - started) * 10) / 10));
      } else requestAnimationFrame(poll);
    };
    poll();
  })`);
}
