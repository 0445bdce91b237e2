/**
 * A real Prometheus (Debian's `prometheus` package) scrapes a real engine: started by the test on
 * a free port with a generated scrape config (the metrics token as a bearer credential) and the
 * README's alert rules, it is asked through its own HTTP API for a counter after a bulk cancel.
 * On a developer machine without the binary the test is skipped; in CI (`CI` or `SLUICE_CI`
 * set, as `.ci/run` does) a missing binary fails it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../e2e/support/free-port.ts";
import { sleepPipeline, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { seedBuilds } from "./seed.ts";

const TOKEN = "prometheus-scrape-token";
const README = path.resolve(import.meta.dirname, "../../README.md");

function findBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

const binary = findBinary("prometheus");
const required = Boolean(process.env.CI || process.env.SLUICE_CI);

/** The yaml block under the README's "Alert rules" heading. */
function readmeAlertRules(): string {
  const text = fs.readFileSync(README, "utf8");
  const section = text.slice(text.indexOf("### Alert rules"));
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error("no yaml block under ### Alert rules in the README");
  return block[1] as string;
}

type QueryResult = { metric: Record<string, string>; value: [number, string] }[];

describe.skipIf(!binary && !required)("a real Prometheus scraping the engine", () => {
  let t: TestEngine | undefined;
  let prometheus: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    if (prometheus && prometheus.exitCode === null && prometheus.signalCode === null) {
      const exited = new Promise((resolve) => prometheus?.once("exit", resolve));
      prometheus.kill("SIGTERM");
      await exited;
    }
    await t?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("scrapes /metrics with the token and answers a query for the canceled-builds counter after a bulk cancel", async () => {
    if (!binary) throw new Error("prometheus is not installed (apt-get install prometheus); CI needs it");
    t = await startTestEngine({ db: { name: "sqlite" }, slots: 0, metricsToken: TOKEN });
    const p = await t.api.pipeline("acme", "app", sleepPipeline());
    await seedBuilds(t, p, 50, { status: () => "QUEUED" });

    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-prometheus-"));
    const port = await freePort();
    const target = new URL(t.engine.url).host;
    fs.writeFileSync(path.join(dir, "rules.yml"), readmeAlertRules());
    fs.writeFileSync(
      path.join(dir, "prometheus.yml"),
      [
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "rule_files: [rules.yml]",
        "scrape_configs:",
        "  - job_name: sluice-engine",
        "    scrape_timeout: 1s",
        `    authorization: { type: Bearer, credentials: "${TOKEN}" }`,
        `    static_configs: [{ targets: ["${target}"] }]`,
        "",
      ].join("\n"),
    );
    let output = "";
    prometheus = spawn(
      binary,
      [
        `--config.file=${path.join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    prometheus.stdout?.on("data", (d) => {
      output += d;
    });
    prometheus.stderr?.on("data", (d) => {
      output += d;
    });
    const api = `http://127.0.0.1:${port}`;
    const query = async (promql: string): Promise<QueryResult> => {
      const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as { status: string; data: { result: QueryResult } };
      if (body.status !== "success") throw new Error(`query ${promql}: ${JSON.stringify(body)}`);
      return body.data.result;
    };
    const value = async (promql: string) => Number((await query(promql))[0]?.value[1] ?? Number.NaN);

    await waitFor(
      async () => {
        if (prometheus?.exitCode !== null) throw new Error(`prometheus exited: ${output}`);
        return (await fetch(`${api}/-/ready`).catch(() => undefined))?.ok;
      },
      { what: "prometheus ready", timeoutMs: 30_000 },
    );
    // The target is up: the scrape got through with the bearer token.
    await waitFor(async () => (await value('up{job="sluice-engine"}')) === 1, {
      what: "engine scraped",
      timeoutMs: 30_000,
    });
    const targets = (await (await fetch(`${api}/api/v1/targets`)).json()) as any;
    expect(targets.data.activeTargets[0]).toMatchObject({ health: "up", lastError: "" });

    const op = await t.api.post(`${p}/builds/batch-cancel`, { filter: { status: ["QUEUED"] }, reason: "bad push" });
    expect(op.body).toMatchObject({ total: 50, status: "completed" });
    await waitFor(async () => (await value('sluice_builds_canceled_total{source="api"}')) === 50, {
      what: "the counter in Prometheus",
      timeoutMs: 30_000,
    });
    expect(await value('max(sluice_builds{project="acme", pipeline="app", status="CANCELED"})')).toBe(50);
    expect(await value("sum(sluice_cancel_operations_total)")).toBe(1);

    // The README's alert rules loaded and evaluate cleanly against the engine's metrics.
    const rules = await waitFor(
      async () => {
        const body = (await (await fetch(`${api}/api/v1/rules`)).json()) as any;
        const list = body.data.groups.flatMap((g: any) => g.rules);
        return list.length > 0 &&
          list.every((r: any) => r.health === "ok" && r.lastEvaluation !== "0001-01-01T00:00:00Z")
          ? list
          : undefined;
      },
      { what: "rules evaluated", timeoutMs: 30_000 },
    );
    expect(rules.map((r: any) => r.name).sort()).toEqual([
      "SluiceBuildsStuckCanceling",
      "SluiceStopsForceFinalized",
      "SluiceWebhooksBehind",
    ]);
    expect(rules.every((r: any) => r.state === "inactive")).toBe(true);
  }, 120_000);
});
