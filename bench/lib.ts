/** Shared pieces of the benchmarks: a database choice, timing statistics, and result files. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestDatabase } from "../engine/test/harness.ts";

export const RESULTS_DIR = path.resolve(import.meta.dirname, "results");

export function databaseOf(name: string | undefined): TestDatabase {
  if (name === undefined || name === "sqlite") return { name: "sqlite" };
  if (name === "postgres") {
    const url = process.env.SLUICE_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
    return { name: "postgres", url };
  }
  throw new Error(`--db must be sqlite or postgres, not "${name}"`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

export function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    n: sorted.length,
    medianMs: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
  };
}

export async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "",
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

export function writeResult(file: string, result: unknown): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const target = path.isAbsolute(file) ? file : path.join(RESULTS_DIR, file);
  fs.writeFileSync(target, `${JSON.stringify(result, null, 2)}\n`);
  return target;
}

export function table(rows: Record<string, string | number>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i] as number)).join("  ");
  return [
    line(cols),
    line(width.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(cols.map((c) => String(r[c])))),
  ].join("\n");
}

/**
 * Requests each url in turn (once each to warm up, then `requests` in all) and times them.
 * `check` throws when an answer is wrong. Returns statistics over all requests, and per url.
 */
export async function measureRequests<R>(
  urls: Record<string, string>,
  requests: number,
  get: (url: string) => Promise<R>,
  check: (kind: string, answer: R) => void,
) {
  for (const url of Object.values(urls)) await get(url);
  const entries = Object.entries(urls);
  const all: number[] = [];
  const perKind: Record<string, number[]> = {};
  for (let i = 0; i < requests; i++) {
    const [kind, url] = entries[i % entries.length] as [string, string];
    const [ms, answer] = await time(() => get(url));
    check(kind, answer);
    all.push(ms);
    perKind[kind] = [...(perKind[kind] ?? []), ms];
  }
  return {
    overall: stats(all),
    rows: [
      { query: "all", ...stats(all) },
      ...Object.entries(perKind).map(([query, samples]) => ({ query, ...stats(samples) })),
    ],
  };
}

/**
 * This process's resident memory, sampled every `everyMs` from now until `stop()`: the benchmarks
 * run the engine in this process, so its peak growth is the engine's (the simulated agents and the
 * client included, which only make it larger).
 */
export function rssSampler(everyMs = 25) {
  const mib = () => process.memoryUsage().rss / 1024 / 1024;
  const before = mib();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, mib());
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, mib());
      const round = (x: number) => Math.round(x);
      return { beforeMiB: round(before), peakMiB: round(peak), growthMiB: round(peak - before) };
    },
  };
}
