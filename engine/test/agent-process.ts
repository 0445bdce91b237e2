/**
 * A standalone agent (`sluice agent`) in a process of its own, so a test can freeze it (SIGSTOP)
 * and thaw it: frozen, it neither polls nor stops anything, as a hung agent host would. The test
 * signals only the process it spawned (its pid), and finds the agent's builds' processes by the
 * agent's own work dir.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { type TestEngine, waitFor } from "./harness.ts";
import { processesOfBuild } from "./processes.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

export class AgentProcess {
  private child: ChildProcess | undefined;
  /** Where its workspaces are (under the test's root, its name in the path). */
  readonly workDir: string;
  private readonly dataDir: string;

  constructor(
    private readonly t: TestEngine,
    readonly name: string,
  ) {
    this.dataDir = path.join(t.workDir, "..", `agent-${name}`);
    this.workDir = path.join(`${this.dataDir}-workspaces`, name);
  }

  /** Starts it and waits until the engine has heard from it. */
  async start(opts: { slots: number }): Promise<this> {
    const created = await this.t.api.post("/v1/agent-tokens", { name: `agent-${this.name}` });
    if (created.status !== 201) throw new Error(`agent token: ${created.status} ${JSON.stringify(created.body)}`);
    fs.mkdirSync(this.dataDir, { recursive: true });
    this.child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", "agent"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/tmp",
        SLUICE_ENGINE_URL: this.t.engine.url,
        SLUICE_TOKEN: created.body.token,
        SLUICE_DATA_DIR: this.dataDir,
        SLUICE_AGENT_NAME: this.name,
        SLUICE_AGENT_SLOTS: String(opts.slots),
        SLUICE_LOG_LEVEL: "warn",
      },
      stdio: "ignore",
    });
    await waitFor(
      async () => ((await this.t.api.get("/v1/agents")).body.items as { id: string }[]).some((a) => a.id === this.name),
      { what: `agent ${this.name} polling`, timeoutMs: 60_000 },
    );
    return this;
  }

  /** It stops still: no poll, no stop, no acknowledgement (its steps keep running). */
  freeze(): void {
    this.child?.kill("SIGSTOP");
  }

  thaw(): void {
    this.child?.kill("SIGCONT");
  }

  /** Live processes of a build it runs. */
  processesOf(buildId: number): Promise<number[]> {
    return processesOfBuild(this.workDir, buildId);
  }

  /** SIGTERM (after a thaw): it stops what it runs and exits. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGCONT");
    child.kill("SIGTERM");
    await exited;
  }
}
