/**
 * The test hosts themselves: hosts reach each other only over their own network, a cut really
 * drops traffic and a heal restores it, and nothing is left behind — neither by `destroy` nor,
 * after a run that crashed, once the next run starts.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { removeLeftovers, TestNet, testnetUnavailable } from "./testnet.ts";

const run = promisify(execFile);
const UNAVAILABLE = await testnetUnavailable();
const REQUIRED = Boolean(process.env.CI || process.env.SLUICE_CI);

/** Whether `from` can open a TCP connection to `to:port` within 2 s (from inside its namespace). */
async function connects(ns: string, address: string, port: number): Promise<boolean> {
  const probe = `require("net").connect(${port}, "${address}").on("connect", () => process.exit(0)).on("error", () => process.exit(1)); setTimeout(() => process.exit(2), 2000)`;
  return run("ip", ["netns", "exec", ns, process.execPath, "-e", probe]).then(
    () => true,
    () => false,
  );
}

async function ours(): Promise<string[]> {
  const ns = (await run("ip", ["netns", "list"])).stdout;
  const links = (await run("ip", ["-o", "link", "show"])).stdout;
  return [...ns.matchAll(/^(slt\S+)/gm), ...links.matchAll(/^\d+:\s+(slt[^:@\s]+)/gm)].map((m) => m[1] as string);
}

describe.skipIf(UNAVAILABLE !== undefined && !REQUIRED)("test hosts", () => {
  const nets: TestNet[] = [];
  afterEach(async () => {
    for (const n of nets.splice(0)) await n.destroy();
  });

  it("two hosts talk over the test network; a cut drops their traffic (both ways of cutting) and a heal restores it; destroy leaves nothing", async () => {
    const net = await TestNet.create();
    nets.push(net);
    const a = await net.host("a");
    const b = await net.host("b");
    const server = a.spawn(process.execPath, [
      "-e",
      `require("net").createServer(() => {}).listen(7000, "${a.address}")`,
    ]);
    try {
      expect(await waitUntil(() => connects(b.ns, a.address, 7000))).toBe(true);
      for (const mode of ["drop", "down"] as const) {
        await a.cut(mode);
        expect(await connects(b.ns, a.address, 7000)).toBe(false);
        await a.heal();
        expect(await waitUntil(() => connects(b.ns, a.address, 7000))).toBe(true);
      }
    } finally {
      server.kill("SIGKILL");
    }
    const tag = `slt${net.octet.toString(16).padStart(2, "0")}`;
    expect((await ours()).filter((n) => n.startsWith(tag)).length).toBeGreaterThan(0);
    await net.destroy();
    expect((await ours()).filter((n) => n.startsWith(tag))).toEqual([]);
  });

  it("the next run removes what a crashed run left, and leaves a live run's network alone", async () => {
    const live = await TestNet.create();
    nets.push(live);
    await live.host("kept");
    // A run that crashed: its claim names a process that is gone.
    const crashed = await TestNet.create();
    await crashed.host("left");
    const claim = path.join(os.tmpdir(), "sluice-testnet", String(crashed.octet));
    fs.writeFileSync(claim, "999999999\n");
    const removed = await removeLeftovers();
    const crashedTag = `slt${crashed.octet.toString(16).padStart(2, "0")}`;
    const liveTag = `slt${live.octet.toString(16).padStart(2, "0")}`;
    expect(removed.some((n) => n.startsWith(crashedTag))).toBe(true);
    const left = await ours();
    expect(left.filter((n) => n.startsWith(crashedTag))).toEqual([]);
    expect(left.filter((n) => n.startsWith(liveTag)).length).toBeGreaterThan(0);
    expect(fs.existsSync(claim)).toBe(false);
  });
});

async function waitUntil(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 20; i++) if (await check()) return true;
  return false;
}
