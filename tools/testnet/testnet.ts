/**
 * Test hosts: Linux network namespaces joined by a bridge of the test's own, so agents, engines
 * and BFFs of a test run on separate network stacks and a partition is a real one (packets
 * dropped by the kernel), not a process that died.
 *
 * One test network is one /24 in 10.213.0.0/16, picked free at creation and claimed by a file
 * holding the creating process's pid, so two runs on one machine never share addresses or names.
 * Every link and namespace is named `slt<octet in hex>…`; whatever a crashed run left behind
 * (its claim's pid is gone) is removed by the next `TestNet.create`. Only the bridge's address
 * (the test process), the hosts' addresses and loopback are ever used.
 *
 * A cut drops every packet leaving either end of a host's link (`tc qdisc … pfifo limit 0`: the
 * kernels on this kind of machine have no `sch_netem`), so connections hang and time out as
 * across a real partition; `cut({ mode: "down" })` takes the link down instead (connections fail
 * at once). Needs root and `ip`/`tc` (iproute2).
 */
import { type ChildProcess, execFile, type SpawnOptions, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
/** Every link and namespace of a test network starts with this. */
export const PREFIX = "slt";
const CLAIMS = path.join(os.tmpdir(), "sluice-testnet");

async function ip(...args: string[]): Promise<string> {
  return (await run("ip", args)).stdout;
}

async function tc(...args: string[]): Promise<string> {
  return (await run("tc", args)).stdout;
}

/** Why test hosts cannot be made here (not root, no iproute2, no namespaces), or undefined. */
export async function testnetUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return "test hosts need root (network namespaces)";
  try {
    await run("tc", ["-V"]);
    await ip("netns", "list");
  } catch (err) {
    return `iproute2 is missing or unusable: ${(err as Error).message}`;
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const hex = (octet: number) => octet.toString(16).padStart(2, "0");

/** The claim of a network's octet: the pid that made it, or undefined when nobody holds it. */
function claimant(octet: number): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(CLAIMS, String(octet)), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The octet a link or namespace name belongs to (`slt1f…` → 31), or undefined when not ours. */
function octetOf(name: string): number | undefined {
  const m = new RegExp(`^${PREFIX}([0-9a-f]{2})`).exec(name);
  return m ? Number.parseInt(m[1] as string, 16) : undefined;
}

/**
 * Removes links, namespaces and claims of test networks whose run is gone (crashed, killed,
 * stopped before its cleanup). Networks of live runs are left alone.
 */
export async function removeLeftovers(): Promise<string[]> {
  const removed: string[] = [];
  const namespaces = (await ip("netns", "list"))
    .split("\n")
    .map((l) => l.split(" ")[0] as string)
    .filter(Boolean);
  for (const ns of namespaces) {
    const octet = octetOf(ns);
    if (octet === undefined || claimant(octet) !== undefined) continue;
    await ip("netns", "del", ns).catch(() => {});
    removed.push(ns);
  }
  const links = (await ip("-o", "link", "show"))
    .split("\n")
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined);
  for (const link of links) {
    const octet = octetOf(link);
    if (octet === undefined || claimant(octet) !== undefined) continue;
    await ip("link", "del", link).catch(() => {});
    removed.push(link);
  }
  if (fs.existsSync(CLAIMS)) {
    for (const file of fs.readdirSync(CLAIMS)) {
      if (claimant(Number(file)) === undefined) fs.rmSync(path.join(CLAIMS, file), { force: true });
    }
  }
  return removed;
}

/** Octets of 10.213.x.0/24 some interface of this machine already has an address in. */
async function octetsInUse(): Promise<Set<number>> {
  const used = new Set<number>();
  for (const m of (await ip("-4", "-o", "addr", "show")).matchAll(/inet 10\.213\.(\d+)\./g)) used.add(Number(m[1]));
  return used;
}

/** Takes a free octet: its claim file is created exclusively, so two runs never get the same one. */
async function claimOctet(): Promise<number> {
  fs.mkdirSync(CLAIMS, { recursive: true });
  const used = await octetsInUse();
  const candidates = Array.from({ length: 254 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
  for (const octet of candidates) {
    if (used.has(octet)) continue;
    try {
      fs.writeFileSync(path.join(CLAIMS, String(octet)), `${process.pid}\n`, { flag: "wx" });
      return octet;
    } catch {
      // Claimed by another run (live, or gone: `removeLeftovers` frees those).
    }
  }
  throw new Error("no free test network in 10.213.0.0/16");
}

export type CutMode = "drop" | "down";

/** One test host: a network namespace with one link to the test network's bridge. */
export class TestHost {
  private cutMode: CutMode | undefined;

  constructor(
    readonly name: string,
    /** The namespace (`ip netns exec <ns> …`). */
    readonly ns: string,
    readonly address: string,
    /** This host's end of its link, in the test process's namespace (on the bridge). */
    private readonly outerLink: string,
  ) {}

  /** Spawns a program inside this host's network namespace (same pid: `ip netns exec` execs it). */
  spawn(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    return spawn("ip", ["netns", "exec", this.ns, command, ...args], options);
  }

  /** Runs a command inside the namespace and returns its output. */
  async exec(command: string, ...args: string[]): Promise<string> {
    return (await run("ip", ["netns", "exec", this.ns, command, ...args])).stdout;
  }

  get isCut(): boolean {
    return this.cutMode !== undefined;
  }

  /**
   * Cuts this host off the test network. `drop` (default): every packet leaving either end of its
   * link is dropped, as across a real partition (open connections hang, new ones time out);
   * `down`: the link is down (connections fail at once with "network unreachable").
   */
  async cut(mode: CutMode = "drop"): Promise<void> {
    if (this.cutMode) return;
    if (mode === "drop") {
      await tc("qdisc", "replace", "dev", this.outerLink, "root", "pfifo", "limit", "0");
      await tc("-n", this.ns, "qdisc", "replace", "dev", "eth0", "root", "pfifo", "limit", "0");
    } else {
      await ip("link", "set", this.outerLink, "down");
    }
    this.cutMode = mode;
  }

  /** Joins the test network again. */
  async heal(): Promise<void> {
    if (this.cutMode === "drop") {
      await tc("qdisc", "del", "dev", this.outerLink, "root");
      await tc("-n", this.ns, "qdisc", "del", "dev", "eth0", "root");
    } else if (this.cutMode === "down") {
      await ip("link", "set", this.outerLink, "up");
    }
    this.cutMode = undefined;
  }
}

/** A test network: a bridge with the test process's address on it, and test hosts on the bridge. */
export class TestNet {
  readonly hosts: TestHost[] = [];
  private destroyed = false;

  private constructor(readonly octet: number) {}

  /** The bridge's address: how test hosts reach the test process (and its proxies). */
  get gateway(): string {
    return `10.213.${this.octet}.1`;
  }

  get subnet(): string {
    return `10.213.${this.octet}.0/24`;
  }

  private get bridge(): string {
    return `${PREFIX}${hex(this.octet)}br`;
  }

  static async create(): Promise<TestNet> {
    await removeLeftovers();
    const net = new TestNet(await claimOctet());
    try {
      await ip("link", "add", "name", net.bridge, "type", "bridge");
      await ip("addr", "add", `${net.gateway}/24`, "dev", net.bridge);
      await ip("link", "set", net.bridge, "up");
    } catch (err) {
      await net.destroy();
      throw err;
    }
    return net;
  }

  /** A new host on this network, with the next address (10.213.<octet>.10, .11, …). */
  async host(name: string): Promise<TestHost> {
    if (!/^[a-z0-9-]{1,20}$/.test(name)) throw new Error(`bad test host name ${name}`);
    const index = this.hosts.length;
    if (index > 200) throw new Error("too many test hosts");
    const tag = `${PREFIX}${hex(this.octet)}`;
    const ns = `${tag}-${name}`;
    const outer = `${tag}h${index}`;
    const inner = `${tag}n${index}`;
    const address = `10.213.${this.octet}.${10 + index}`;
    await ip("netns", "add", ns);
    const host = new TestHost(name, ns, address, outer);
    this.hosts.push(host);
    await ip("link", "add", outer, "type", "veth", "peer", "name", inner);
    await ip("link", "set", inner, "netns", ns);
    await ip("link", "set", outer, "master", this.bridge, "up");
    await ip("-n", ns, "link", "set", inner, "name", "eth0");
    await ip("-n", ns, "addr", "add", `${address}/24`, "dev", "eth0");
    await ip("-n", ns, "link", "set", "eth0", "up");
    await ip("-n", ns, "link", "set", "lo", "up");
    return host;
  }

  /** Removes every host, link and the bridge, and gives the octet back. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const tag = `${PREFIX}${hex(this.octet)}`;
    for (const host of this.hosts) await ip("netns", "del", host.ns).catch(() => {});
    const links = (await ip("-o", "link", "show")).matchAll(/^\d+:\s+([^:@\s]+)/gm);
    for (const [, link] of links) if (link?.startsWith(tag)) await ip("link", "del", link).catch(() => {});
    fs.rmSync(path.join(CLAIMS, String(this.octet)), { force: true });
  }
}
