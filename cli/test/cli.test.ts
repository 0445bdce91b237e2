/**
 * The `sluice` command as people run it: the real command as a child process (built once for the
 * run into `.cli-build/`, see tools/cli-build.ts; `cli/bin.mjs`, which runs it through tsx from a
 * checkout, is started too), against a real engine (SQLite, and PostgreSQL when configured),
 * checking what it prints and its exit code.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../common/config.ts";
import { freePort } from "../../e2e/support/free-port.ts";
import { databaseSnapshot } from "../../engine/test/db-snapshot.ts";
import { githubPush, sendHook } from "../../engine/test/git-fixture.ts";
import { DATABASE_FREE, DATABASES, startTestEngine, type TestEngine, waitFor } from "../../engine/test/harness.ts";
import { userWithRoles } from "../../engine/test/security-helpers.ts";
import { seedBuilds } from "../../engine/test/seed.ts";
import { SimAgent } from "../../engine/test/sim-agent.ts";
import { CLI_BUILD } from "../../tools/cli-build.ts";
import { buildProgram } from "../program.ts";

const BIN = path.resolve(import.meta.dirname, "../bin.mjs");
const ONE_STEP = { stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "x" }] }] }] };

type Run = { code: number | null; stdout: string; stderr: string };

/** A home and data dir of the test's own, so no config file or admin token of the machine is read. */
function isolatedDirs(cleanups: (() => void)[]): { home: string; dataDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-cli-"));
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.mkdirSync(path.join(root, "home"));
  return { home: path.join(root, "home"), dataDir: path.join(root, "data") };
}

function sluice(args: string[], env: Record<string, string>, entry = CLI_BUILD): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every command path of the tree: ["builds", "list"], ... */
function commandPaths(): string[][] {
  const program = buildProgram({ config: loadConfig({}), exit: () => {} });
  const paths: string[][] = [];
  const visit = (cmd: Command, prefix: string[]) => {
    for (const sub of cmd.commands) {
      paths.push([...prefix, sub.name()]);
      visit(sub, [...prefix, sub.name()]);
    }
  };
  visit(program, []);
  return paths;
}

describe.runIf(DATABASE_FREE)("sluice without an engine", () => {
  const cleanups: (() => void)[] = [];
  let env: Record<string, string>;
  beforeAll(() => {
    const dirs = isolatedDirs(cleanups);
    env = { HOME: dirs.home, SLUICE_DATA_DIR: dirs.dataDir };
  });
  afterAll(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it("--help works on every command and subcommand, with the exit codes", async () => {
    const commands = commandPaths();
    const paths = [[], ...commands];
    expect(paths.map((p) => p.join(" "))).toEqual(
      expect.arrayContaining(["cancel", "rerun", "builds list", "builds show", "operations watch", "completion"]),
    );
    for (let i = 0; i < paths.length; i += 4) {
      const runs = await Promise.all(paths.slice(i, i + 4).map((p) => sluice([...p, "--help"], env)));
      runs.forEach((run, k) => {
        const p = (paths[i + k] as string[]).join(" ");
        expect({ p, code: run.code, stderr: run.stderr }).toEqual({ p, code: 0, stderr: "" });
        expect(run.stdout).toContain(`Usage: sluice${p ? ` ${p}` : ""}`);
        const leaf = commands.every((q) => q.slice(0, -1).join(" ") !== p);
        if (leaf || p === "") expect(run.stdout).toContain("2  usage error");
      });
    }
  });

  it("cli/bin.mjs, what `sluice` is in a checkout, runs the same command tree through tsx", async () => {
    const [fromCheckout, built] = await Promise.all([sluice(["--help"], env, BIN), sluice(["--help"], env)]);
    expect(fromCheckout).toEqual({ code: 0, stdout: built.stdout, stderr: "" });
    expect(fromCheckout.stdout).toContain("Usage: sluice");
    const unknown = await sluice(["frobnicate"], env, BIN);
    expect(unknown.code).toBe(2);
  });

  it("an unknown command or option, a missing or bad value is a usage error (exit 2) that says what was wrong", async () => {
    const cases: [string[], RegExp][] = [
      [["frobnicate"], /unknown command 'frobnicate'/],
      [["cancel", "--bogus"], /unknown option '--bogus'/],
      [["cancel", "--project", "acme", "--pipeline", "web", "--builds", "x1"], /not a build number: "x1"/],
      [["cancel", "--project", "acme"], /give exactly one of --builds/],
      [["cancel", "--project", "acme", "--builds", "12"], /--builds are numbers within a pipeline: give --pipeline/],
      [["cancel", "--project", "acme", "--keep-newest", "0"], /must be a whole number from 1 to 1000/],
      [
        ["cancel", "--project", "acme", "--keep-newest", "1", "--per", "tag"],
        /Allowed choices are branch, pipeline, group/,
      ],
      [["cancel", "--project", "acme", "--all-running", "--per", "branch"], /--per goes with --keep-newest/],
      [["builds", "list"], /--project is required/],
      [["builds", "show", "--project", "acme", "--pipeline", "web"], /missing required argument 'number'/],
      [["builds", "list", "--project", "acme", "--status", "done"], /use queued, running/],
      [["rerun", "--project", "acme", "--branch", "main"], /a re-run filter needs --status/],
      [["operations", "list", "--project", "acme", "--status", "sleeping"], /Allowed choices are running, completed/],
      [["completion", "fish"], /Allowed choices are bash, zsh/],
      [[], /Usage: sluice/],
    ];
    for (const [args, message] of cases) {
      const run = await sluice(args, { ...env, SLUICE_TOKEN: "t" });
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: "" });
      expect(run.stderr).toMatch(message);
    }
  });

  it("completion prints a bash and a zsh script naming every subcommand and option values", async () => {
    const bash = await sluice(["completion", "bash"], env);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain("complete -o default -F _sluice sluice");
    for (const word of ["cancel", "rerun", "builds list", "operations watch", "--dry-run", "--from-operation"]) {
      expect(bash.stdout).toContain(word);
    }
    expect(bash.stdout).toContain('"operations list:--status") COMPREPLY=($(compgen -W "running completed"');
    const zsh = await sluice(["completion", "zsh"], env);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef sluice\n/);
    expect(zsh.stdout).toContain("'cancel:cancel builds");
    expect(zsh.stdout).toContain("'operations watch'");
  });

  it("the bash script completes subcommands, options and option values", async () => {
    const script = (await sluice(["completion", "bash"], env)).stdout;
    const file = path.join(env.HOME as string, "sluice.bash");
    fs.writeFileSync(file, script);
    const complete = async (...words: string[]) => {
      const run = await new Promise<string>((resolve, reject) => {
        const child = spawn(
          "bash",
          [
            "-c",
            `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _sluice; echo "\${COMPREPLY[*]}"`,
            "bash",
            file,
            ...words,
          ],
          { stdio: ["ignore", "pipe", "inherit"] },
        );
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          out += d;
        });
        child.once("error", reject);
        child.once("close", () => resolve(out.trim()));
      });
      return run.split(" ");
    };
    expect(await complete("sluice", "")).toEqual(expect.arrayContaining(["builds", "cancel", "rerun", "operations"]));
    expect(await complete("sluice", "operations", "w")).toEqual(["watch"]);
    expect(await complete("sluice", "cancel", "--project", "demo", "--dr")).toEqual(["--dry-run"]);
    expect(await complete("sluice", "operations", "list", "--status", "")).toEqual(["running", "completed"]);
    expect(await complete("sluice", "completion", "")).toEqual(expect.arrayContaining(["bash", "zsh"]));
  });
});

describe.each(DATABASES)("sluice against an engine on $name", (db) => {
  let t: TestEngine;
  const agents: SimAgent[] = [];
  const cleanups: (() => void)[] = [];
  let env: Record<string, string>;

  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await t?.destroy();
    for (const c of cleanups.splice(0)) c();
  });

  async function start(): Promise<void> {
    t = await startTestEngine({ db, slots: 0 });
    const dirs = isolatedDirs(cleanups);
    env = {
      HOME: dirs.home,
      SLUICE_DATA_DIR: dirs.dataDir,
      SLUICE_ENGINE_URL: t.engine.url,
      SLUICE_TOKEN: t.engine.adminToken,
    };
  }

  /**
   * The engine makes the key that signs previews on its first preview ever: made here, before a
   * snapshot, the snapshot compares only what a dry run itself could change.
   */
  const makePreviewKey = async (pipelinePath: string) =>
    expect((await t.api.post(`${pipelinePath}/builds/batch-rerun/preview`, { buildNumbers: [1] })).status).toBe(200);

  /** The JSON a successful run printed. */
  const json = (run: Run) => {
    expect({ code: run.code, stderr: run.code === 0 ? "" : run.stderr }).toEqual({ code: 0, stderr: "" });
    return JSON.parse(run.stdout);
  };

  it("builds list and show: a table, --json, filters, cursor pages, every pipeline; a missing build exits 3", async () => {
    await start();
    const web = await t.api.pipeline("acme", "web", ONE_STEP);
    const api = await t.api.pipeline("acme", "api", ONE_STEP);
    await t.api.trigger(web, { branch: "main" });
    await t.api.trigger(web, { branch: "dev" });
    await t.api.trigger(web, { branch: "main", commit: "abcdef1234" });
    await t.api.trigger(api, { branch: "main" });
    const scope = ["--project", "acme", "--pipeline", "web"];

    const table = await sluice(["builds", "list", ...scope], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^BUILD\s+STATUS\s+BRANCH\s+COMMIT\s+BY\s+CREATED\s+DURATION$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
      ["#3", "QUEUED", "main", "abcdef1"],
      ["#2", "QUEUED", "dev", "-"],
      ["#1", "QUEUED", "main", "-"],
    ]);

    const first = await sluice(["builds", "list", ...scope, "--limit", "2", "--json"], env);
    const page = json(first);
    expect(page.items.map((b: any) => b.number)).toEqual([3, 2]);
    expect(first.stderr).toContain(`More: --cursor ${page.nextCursor}`);
    const next = json(
      await sluice(["builds", "list", ...scope, "--limit", "2", "--cursor", page.nextCursor, "--json"], env),
    );
    expect(next).toMatchObject({ items: [{ number: 1 }], nextCursor: null });

    const filtered = json(
      await sluice(["builds", "list", ...scope, "--status", "queued", "--branch", "dev", "--json"], env),
    );
    expect(filtered.items.map((b: any) => b.number)).toEqual([2]);

    const everywhere = await sluice(["builds", "list", "--project", "acme"], env);
    expect(everywhere.code).toBe(0);
    expect(everywhere.stdout.split("\n")[0]).toMatch(/^PIPELINE\s+BUILD/);
    expect(everywhere.stdout).toMatch(/^api\s+#1\s+QUEUED/m);

    const shown = json(await sluice(["builds", "show", "#2", ...scope, "--json"], env));
    expect(shown).toMatchObject({
      pipeline: "web",
      number: 2,
      branch: "dev",
      jobs: [{ name: "j", steps: [{ run: "x" }] }],
    });
    const human = await sluice(["builds", "show", "2", ...scope], env);
    expect(human.stdout).toMatch(/^acme\/web #2 {2}QUEUED\n/);
    expect(human.stdout).toMatch(/s \/ j\s+QUEUED/);

    const missing = await sluice(["builds", "show", "42", ...scope], env);
    expect(missing).toMatchObject({ code: 3, stdout: "" });
    expect(missing.stderr).toContain("error: build_not_found: Build #42 not found in acme/web");
    const noProject = await sluice(["builds", "list", "--project", "nope"], env);
    expect(noProject.code).toBe(3);
    expect(noProject.stderr).toMatch(/^error: project_not_found: /);
  });

  it("cancel --dry-run prints the preview and changes nothing; the cancel then acts by number, and by branch across the project", async () => {
    await start();
    const web = await t.api.pipeline("acme", "web", ONE_STEP);
    const api = await t.api.pipeline("acme", "api", ONE_STEP);
    const builds: any[] = [];
    for (let i = 0; i < 3; i++) builds.push(await t.api.trigger(web, { branch: "main" }));
    for (let i = 0; i < 2; i++) builds.push(await t.api.trigger(api, { branch: "main" }));
    const other = await t.api.trigger(api, { branch: "dev" });

    await makePreviewKey(web);
    const before = await databaseSnapshot(t);
    const dry = await sluice(["cancel", "--project", "acme", "--branch", "main", "--dry-run"], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /^5 builds to cancel: 5 queued \(web up to #3, api up to #2\)\nPer pipeline: web 3 · api 2\n/,
    );
    expect(dry.stdout).toMatch(/^\s+web\s+#3\s+QUEUED\s+main/m);
    const dryJson = json(await sluice(["cancel", "--project", "acme", "--all-running", "--dry-run", "--json"], env));
    expect(dryJson).toMatchObject({ preview: { total: 6, byPipeline: { web: 3, api: 3 } }, operation: null });
    expect(dryJson.preview.first).toHaveLength(6);
    expect(await databaseSnapshot(t)).toEqual(before);

    const byNumber = await sluice(
      ["cancel", "--project", "acme", "--pipeline", "web", "--builds", "#1,2", "--reason", "bad push", "--json"],
      env,
    );
    const answer = json(byNumber);
    expect(answer).toMatchObject({
      preview: { total: 2 },
      operation: { kind: "cancel", total: 2, reason: "bad push" },
    });
    expect(byNumber.stderr).toContain(`Operation ${answer.operation.id}: canceling 2 builds`);
    expect((await t.api.build(builds[0].id)).status).toBe("CANCELED");
    expect((await t.api.build(builds[1].id)).status).toBe("CANCELED");
    expect((await t.api.build(builds[2].id)).status).toBe("QUEUED");

    const project = await sluice(["cancel", "--project", "acme", "--branch", "main"], env);
    expect(project.code).toBe(0);
    expect(project.stdout).toContain("canceling 3 builds");
    for (const b of builds) expect((await t.api.build(b.id)).status).toBe("CANCELED");
    expect((await t.api.build(other.id)).status).toBe("QUEUED");

    const unknown = await sluice(["cancel", "--project", "acme", "--pipeline", "web", "--builds", "7"], env);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain("error: builds_not_found: ");
    expect(unknown.stderr).toContain("#7");
  });

  it("cancel --keep-newest 1 --per branch cancels all but the newest build of each branch, and says what it keeps; protected branches are left out unless included; a guarded cancel needs --confirm N", async () => {
    await start();
    const web = await t.api.pipeline("acme", "web", ONE_STEP);
    const builds: Record<string, any[]> = { main: [], dev: [] };
    for (let i = 0; i < 3; i++)
      for (const branch of ["main", "dev"]) builds[branch]!.push(await t.api.trigger(web, { branch }));
    const run = await sluice(
      ["cancel", "--project", "acme", "--pipeline", "web", "--keep-newest", "1", "--per", "branch"],
      env,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^4 builds to cancel: 4 queued \(web up to #4\)\nKept: the newest build of each of 2 branches\n/,
    );
    expect(run.stdout).toContain("canceling 4 builds");
    for (const branch of ["main", "dev"]) {
      const [a, b, newest] = builds[branch]!;
      expect((await t.api.build(a.id)).status).toBe("CANCELED");
      expect((await t.api.build(b.id)).status).toBe("CANCELED");
      expect((await t.api.build(newest.id)).status).toBe("QUEUED");
    }
    await t.api.put("/v1/projects/acme", { protectedBranches: ["main"] });
    for (let i = 0; i < 2; i++) await t.api.trigger(web, { branch: "main" });
    const dry = await sluice(["cancel", "--project", "acme", "--pipeline", "web", "--all-running", "--dry-run"], env);
    expect(dry.stdout).toContain(
      "Left out: 3 builds on protected branches (main); --include-protected-branches reaches them",
    );
    const all = await sluice(
      ["cancel", "--project", "acme", "--pipeline", "web", "--all-running", "--include-protected-branches", "--json"],
      env,
    );
    expect(json(all)).toMatchObject({ preview: { total: 4, leftOut: { included: true } }, operation: { total: 4 } });

    await t.api.put("/v1/projects/acme", { bulkCancel: { confirmAbove: 1 } });
    for (let i = 0; i < 2; i++) await t.api.trigger(web, { branch: "dev" });
    const unconfirmed = await sluice(["cancel", "--project", "acme", "--pipeline", "web", "--all-running"], env);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("this cancel reaches 2 builds: confirm with --confirm 2");
    const confirmed = await sluice(
      ["cancel", "--project", "acme", "--pipeline", "web", "--all-running", "--confirm", "2"],
      env,
    );
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain("canceling 2 builds");
  });

  it("cancel --all-running --wait follows the operation to its end (a bar on a terminal, lines otherwise); failed stops exit 1, and so does operations watch", async () => {
    await start();
    agents.push(await new SimAgent(t.engine.channel, "cli", { slots: 0 }).start());
    agents.push(await new SimAgent(t.engine.channel, "broken", { slots: 0, stopMode: "fail" }).start());
    const web = await t.api.pipeline("acme", "web", ONE_STEP);
    const api = await t.api.pipeline("acme", "api", ONE_STEP);
    await seedBuilds(t, web, 30, {
      status: (i) => (i < 20 ? "RUNNING" : i < 25 ? "QUEUED" : "SUCCEEDED"),
      agents: ["cli"],
    });
    const ids = await seedBuilds(t, api, 2, { status: () => "RUNNING", agents: ["broken"] });

    const run = await sluice(
      ["cancel", "--project", "acme", "--pipeline", "web", "--all-running", "--reason", "bad push", "--wait"],
      env,
    );
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^25 builds to cancel: 20 running, 5 queued \(web up to #25\)\n/);
    expect(run.stdout).toMatch(
      /\nImpact: stops 20 running builds on 1 agent \(\d+m \d+s of work done\)\nPer agent: cli 20\n/,
    );
    expect(run.stdout).toMatch(/Operation [0-9a-f-]+: canceling 25 builds\n/);
    expect(run.stdout.trim().split("\n").at(-1)).toBe("25 canceled · 0 already finished · 0 failed");
    expect(run.stderr).toMatch(/^ {2}\d+\/25 settled \(/m);
    expect((await t.api.get(`${web}/builds/counts`)).body).toMatchObject({ RUNNING: 0, QUEUED: 0, CANCELED: 25 });

    // On a terminal the progress is one bar redrawn in place (`script` gives the command a terminal).
    await seedBuilds(t, web, 4, { status: () => "RUNNING", agents: ["cli"] });
    const tty = await new Promise<Run>((resolve, reject) => {
      const child = spawn(
        "script",
        [
          "-qec",
          `"${process.execPath}" "${BIN}" cancel --project acme --pipeline web --all-running --wait`,
          "/dev/null",
        ],
        { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        stdout += d;
      });
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout, stderr: "" }));
    });
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain(
      "\r\x1b[2K[########################] 4/4 4 canceled · 0 already finished · 0 failed\r\n",
    );
    expect(tty.stdout).not.toMatch(/settled \(/);

    const failed = await sluice(
      ["cancel", "--project", "acme", "--pipeline", "api", "--ids", ids.join(","), "--wait", "--json"],
      env,
    );
    expect(failed.code).toBe(1);
    const op = JSON.parse(failed.stdout).operation;
    expect(op).toMatchObject({ status: "completed", counts: { failed: 2, canceled: 0 } });

    const watched = await sluice(["operations", "watch", op.id], env);
    expect(watched.code).toBe(1);
    expect(watched.stdout).toContain("0 canceled · 0 already finished · 2 failed");
    const shown = json(await sluice(["operations", "show", op.id, "--outcome", "failed", "--json"], env));
    expect(shown.operation.id).toBe(op.id);
    expect(shown.items.map((i: any) => i.outcome)).toEqual(["failed", "failed"]);
  });

  it("operations watch follows again from the last event when the stream ends before the operation does", async () => {
    await start();
    const slow = await new SimAgent(t.engine.channel, "slow", { slots: 0, stopMode: "ignore" }).start();
    agents.push(slow);
    const web = await t.api.pipeline("acme", "web", ONE_STEP);
    await seedBuilds(t, web, 2, { status: () => "RUNNING", agents: ["slow"] });
    const op = (await t.api.post(`${web}/builds/batch-cancel`, { buildNumbers: [1, 2] })).body;
    expect(op.status).toBe("running");

    // A proxy that ends the first event stream cleanly after its first event, as a restarting engine would.
    const streams: string[] = [];
    const proxy = http.createServer((req, res) => {
      const isStream = req.url?.startsWith("/v1/events") ?? false;
      if (isStream) streams.push(req.url as string);
      const upstream = http.request(`${t.engine.url}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.on("data", (chunk: Buffer) => {
          res.write(chunk);
          if (isStream && streams.length === 1 && chunk.toString().includes("\ndata:")) {
            up.destroy();
            res.end();
          }
        });
        up.on("end", () => res.end());
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => proxy.close());
    const { port } = proxy.address() as { port: number };

    const watching = sluice(["operations", "watch", op.id, "--engine", `http://127.0.0.1:${port}`, "--json"], env);
    await waitFor(() => streams.length >= 2, { what: "the watch to open a second stream" });
    expect(streams[1]).toMatch(/[?&]after=[1-9]\d*(&|$)/);
    await waitFor(() => slow.stopsReceived.length === 2, { what: "both stops sent" });
    for (const stop of slow.stopsReceived) await slow.finish(stop.leaseId, "FAILED");
    const run = await watching;
    const final = JSON.parse(run.stdout);
    expect(final).toMatchObject({ id: op.id, status: "completed", counts: { pending: 0 } });
  });

  it("rerun by --from-operation, by number and by status; --dry-run changes nothing; operations list and show", async () => {
    await start();
    const web = await t.api.pipeline("acme", "web", ONE_STEP);
    for (let i = 0; i < 3; i++) await t.api.trigger(web, { branch: "main" });
    const canceled = await t.api.post(`${web}/builds/batch-cancel`, { buildNumbers: [1, 2] });
    expect(canceled.status).toBe(202);
    const cancelId = canceled.body.id as string;

    await makePreviewKey(web);
    const before = await databaseSnapshot(t);
    const dry = await sluice(["rerun", "--from-operation", cancelId, "--dry-run"], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^2 builds to re-run: 2 canceled \(web up to #2\)\n/);
    expect(await databaseSnapshot(t)).toEqual(before);

    const fromOp = await sluice(["rerun", "--from-operation", cancelId], env);
    expect(fromOp.code).toBe(0);
    expect(fromOp.stdout).toContain("2 created · 0 skipped · 0 failed");
    expect(fromOp.stdout).toMatch(/^ {2}#1 → #4$/m);
    expect(fromOp.stdout).toMatch(/^ {2}#2 → #5$/m);

    const byNumber = json(
      await sluice(["rerun", "--project", "acme", "--pipeline", "web", "--builds", "1,3", "--wait", "--json"], env),
    );
    // #3 is still queued: a re-run skips active builds.
    expect(byNumber.operation).toMatchObject({
      kind: "rerun",
      status: "completed",
      counts: { created: 1, skipped: 1 },
    });
    const byStatus = json(await sluice(["rerun", "--project", "acme", "--status", "canceled", "--json"], env));
    expect(byStatus.operation).toMatchObject({ scope: "project", counts: { created: 2 } });

    const listed = json(await sluice(["operations", "list", "--project", "acme", "--json"], env));
    expect(listed.items.map((o: any) => o.kind)).toEqual(["rerun", "rerun", "rerun", "cancel"]);
    const limited = await sluice(["operations", "list", "--project", "acme", "--limit", "1", "--json"], env);
    expect(JSON.parse(limited.stdout).items).toHaveLength(1);
    expect(limited.stderr).toMatch(/^More: --cursor \S+$/m);
    const table = await sluice(
      ["operations", "list", "--project", "acme", "--status", "completed", "--source", "api"],
      env,
    );
    expect(table.stdout).toMatch(/^ID\s+KIND\s+STATUS\s+PIPELINE\s+BY/);
    expect(table.stdout).toContain(cancelId);
    const shown = await sluice(["operations", "show", cancelId], env);
    expect(shown.stdout).toMatch(/^Cancel of 2 builds in acme\/web by admin\n/);
    expect(shown.stdout).toMatch(/^#1\s+main\s+canceled/m);
    const missing = await sluice(["operations", "show", "00000000-0000-4000-8000-000000000000"], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^error: operation_not_found: /);
  });

  it("repositories list, show and deliveries; hooks rotate-secret shows the new secret once; hooks redeliver sends a delivery again", async () => {
    await start();
    await t.api.put("/v1/projects/acme", {});
    const put = await t.api.put("/v1/projects/acme/repositories/app", {
      url: "https://github.com/acme/app.git",
      provider: "github",
      credentials: { token: "ghp_cli-test-credentials-5d1e" },
    });
    expect(put.status).toBe(201);
    const push = githubPush({ secret: put.body.hookSecret, branch: "main", after: "a".repeat(40) });
    expect((await sendHook(t.engine.url, "acme", "app", push)).status).toBe(202);
    const project = ["--project", "acme"];

    const list = await sluice(["repositories", "list", ...project], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/app\s+github\s+https:\/\/github\.com\/acme\/app\.git/);
    const shown = json(await sluice(["repositories", "show", "app", ...project, "--json"], env));
    expect(shown).toMatchObject({ name: "app", credentialsSet: true, hookUrl: `${t.engine.url}/v1/hooks/acme/app` });
    expect(JSON.stringify(shown)).not.toContain("ghp_cli-test-credentials-5d1e");

    const page = json(await sluice(["repositories", "deliveries", "app", ...project, "--json"], env));
    expect(page.items).toHaveLength(1);
    const [first] = page.items;
    expect(first).toMatchObject({ event: "push", status: "ignored", reason: "no pipeline follows pushes to main" });
    const table = await sluice(["repositories", "deliveries", "app", ...project], env);
    expect(table.stdout).toMatch(new RegExp(`^${first.id}\\s+push\\s+main\\s+alice\\s+ignored`, "m"));

    const again = await sluice(["hooks", "redeliver", "app", String(first.id), ...project], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^Delivery ${first.id} sent again as delivery \\d+`));
    const after = json(await sluice(["repositories", "deliveries", "app", ...project, "--json"], env));
    expect(after.items).toHaveLength(2);
    expect(after.items[0]).toMatchObject({ redeliveryOf: first.id, redeliveredBy: "admin", event: "push" });
    const missing = await sluice(["hooks", "redeliver", "app", "999999", ...project], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^error: delivery_not_found: /);

    const rotated = await sluice(["hooks", "rotate-secret", "app", ...project], env);
    expect(rotated.code).toBe(0);
    const secret = /shown once\):\n {2}(\S+)/.exec(rotated.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(secret).not.toBe(put.body.hookSecret);
    expect((await sluice(["repositories", "show", "app", ...project], env)).stdout).not.toContain(secret);
  });

  it("a refused token exits 4 without printing it, a viewer may not cancel (4), and no token at all is exit 4", async () => {
    await start();
    const web = await t.api.pipeline("acme", "web", ONE_STEP);
    await t.api.trigger(web, { branch: "main" });
    const bad = await sluice(["builds", "list", "--project", "acme"], { ...env, SLUICE_TOKEN: "not-a-token-3f9d" });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/^error: invalid_token: /);
    expect(bad.stdout + bad.stderr).not.toContain("not-a-token-3f9d");

    const viewer = await userWithRoles(t, "viewer", { acme: "viewer" });
    const before = await databaseSnapshot(t);
    const refused = await sluice(["cancel", "--project", "acme", "--all-running"], { ...env, SLUICE_TOKEN: viewer });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^error: forbidden: /);
    expect(await databaseSnapshot(t)).toEqual(before);

    const { SLUICE_TOKEN: _, ...without } = env;
    const none = await sluice(["builds", "list", "--project", "acme"], without);
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/^error: no token: set SLUICE_TOKEN/);
  });

  it("configuration: a flag beats the environment, which beats the config file, which beats the local admin token", async () => {
    await start();
    const web = await t.api.pipeline("acme", "web", ONE_STEP);
    await t.api.pipeline("acme", "api", ONE_STEP);
    await t.api.trigger(web, { branch: "main" });
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const file = path.join(env.HOME as string, ".config", "sluice", "config.json");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { SLUICE_ENGINE_URL: _u, SLUICE_TOKEN: _t, ...bare } = env;
    const list = (extra: string[], e: Record<string, string>) => sluice(["builds", "list", ...extra, "--json"], e);

    // The default file (~/.config/sluice/config.json) names the engine, the token, the project and the pipeline.
    fs.writeFileSync(
      file,
      JSON.stringify({ engineUrl: t.engine.url, token: t.engine.adminToken, project: "acme", pipeline: "web" }),
      { mode: 0o644 },
    );
    const readable = await list([], bare);
    expect(readable.code).toBe(0);
    expect(readable.stderr).toContain(`warning: ${file} holds a token and others may read it (chmod 600 ${file})`);
    fs.chmodSync(file, 0o600);
    expect(json(await list([], bare)).items.map((b: any) => b.pipeline)).toEqual(["web"]);
    // The flags beat the file's pipeline; --all-pipelines drops it.
    expect(json(await list(["--pipeline", "api"], bare)).items).toEqual([]);
    expect((await sluice(["builds", "list", "--all-pipelines"], bare)).stdout).toMatch(/^PIPELINE/);

    // The environment beats the file: an engine that is not there, a token that is refused.
    const envUrl = await list([], { ...bare, SLUICE_ENGINE_URL: deadUrl });
    expect(envUrl.code).toBe(1);
    expect(envUrl.stderr).toContain(`error: unreachable: cannot reach the engine at ${deadUrl}`);
    expect((await list([], { ...bare, SLUICE_TOKEN: "refused-token" })).code).toBe(4);
    // The flag beats the environment.
    expect((await list(["--engine", t.engine.url], { ...bare, SLUICE_ENGINE_URL: deadUrl })).code).toBe(0);

    // SLUICE_CONFIG names another file; a file that is not valid is a usage error.
    const other = path.join(env.HOME as string, "other.json");
    fs.writeFileSync(other, JSON.stringify({ engineUrl: deadUrl, project: "acme" }));
    const named = await list(["--pipeline", "web"], { ...bare, SLUICE_CONFIG: other, SLUICE_ADMIN_TOKEN: "x" });
    expect(named.stderr).toContain(`cannot reach the engine at ${deadUrl}`);
    fs.writeFileSync(other, JSON.stringify({ engineUrl: t.engine.url, colour: "blue" }));
    const invalid = await list([], { ...bare, SLUICE_CONFIG: other });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`the config file ${other} is not valid`);

    // Without a token anywhere else, the local engine's admin token in the data dir.
    fs.writeFileSync(file, JSON.stringify({ engineUrl: t.engine.url, project: "acme", pipeline: "web" }));
    fs.mkdirSync(env.SLUICE_DATA_DIR as string, { recursive: true });
    fs.writeFileSync(path.join(env.SLUICE_DATA_DIR as string, "admin-token"), `${t.engine.adminToken}\n`);
    expect(json(await list([], bare)).items).toHaveLength(1);
  });
});
