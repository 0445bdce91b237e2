/**
 * A Sluice of its own for one test, as separate engine and BFF processes, so the test can stop
 * and restart the engine while the page and the BFF stay up.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "@playwright/test";
import { EngineApi } from "./engine-api.ts";
import { freePort } from "./free-port.ts";

async function healthy(url: string): Promise<boolean> {
  return fetch(`${url}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
}

export class OwnStack {
  private engine: ChildProcess | undefined;
  private bff: ChildProcess | undefined;
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-e2e-own-"));
  readonly token = "own-stack-token";
  enginePort = 0;
  bffPort = 0;

  get engineUrl() {
    return `http://127.0.0.1:${this.enginePort}`;
  }
  get url() {
    return `http://127.0.0.1:${this.bffPort}`;
  }
  get api() {
    return new EngineApi(this.engineUrl, this.token);
  }

  private spawn(args: string[], env: Record<string, string>): ChildProcess {
    return spawn(process.execPath, ["--import", "tsx", "cli/main.ts", ...args], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        SLUICE_DATA_DIR: this.dataDir,
        SLUICE_ADMIN_TOKEN: this.token,
        SLUICE_ADMIN_PASSWORD: "own-admin-password",
        SLUICE_BFF_KEY: "own-stack-bff-key",
        SLUICE_LOG_LEVEL: "warn",
        ...env,
      },
      stdio: "ignore",
    });
  }

  private readonly agents: ChildProcess[] = [];

  /**
   * `agentSlots`: slots of the engine's in-process agent (0: builds stay queued, or wait for a
   * standalone agent); `engineEnv`: more of the engine's settings.
   */
  constructor(
    private readonly agentSlots = 20,
    private readonly engineEnv: Record<string, string> = {},
  ) {}

  async start(): Promise<void> {
    this.enginePort = await freePort();
    this.bffPort = await freePort();
    await this.startEngine();
    this.bff = this.spawn(["bff", "--engine", this.engineUrl], { PORT: String(this.bffPort) });
    await expect.poll(() => healthy(this.url), { timeout: 60_000 }).toBe(true);
  }

  async startEngine(): Promise<void> {
    this.engine = this.spawn(["engine"], {
      SLUICE_ENGINE_PORT: String(this.enginePort),
      SLUICE_AGENT_SLOTS: String(this.agentSlots),
      ...this.engineEnv,
    });
    await expect.poll(() => healthy(this.engineUrl), { timeout: 60_000 }).toBe(true);
  }

  /** SIGTERM: the engine stops its agent's processes and exits. */
  async stopEngine(): Promise<void> {
    await stop(this.engine);
    this.engine = undefined;
  }

  /**
   * A standalone agent (`sluice agent`) of its own process, with an agent token of its own; the
   * test may freeze it (SIGSTOP: it polls, stops and acknowledges nothing) and thaw it. Returns
   * once the engine has heard from it.
   */
  async startAgent(name: string, slots = 1): Promise<StandaloneAgent> {
    const token = await this.api.request("POST", "/v1/agent-tokens", { name: `agent-${name}` });
    if (token.status !== 201) throw new Error(`agent token: ${token.status} ${JSON.stringify(token.body)}`);
    const child = this.spawn(["agent"], {
      SLUICE_ENGINE_URL: this.engineUrl,
      SLUICE_TOKEN: token.body.token,
      SLUICE_AGENT_NAME: name,
      SLUICE_AGENT_SLOTS: String(slots),
    });
    this.agents.push(child);
    await expect
      .poll(
        async () => ((await this.api.request("GET", "/v1/agents")).body.items ?? []).some((a: any) => a.id === name),
        {
          timeout: 60_000,
        },
      )
      .toBe(true);
    return {
      freeze: () => child.kill("SIGSTOP"),
      thaw: () => child.kill("SIGCONT"),
    };
  }

  async destroy(): Promise<void> {
    for (const agent of this.agents) {
      agent.kill("SIGCONT");
      await stop(agent);
    }
    await stop(this.bff);
    await stop(this.engine);
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    fs.rmSync(`${this.dataDir}-workspaces`, { recursive: true, force: true });
  }
}

export type StandaloneAgent = { freeze: () => void; thaw: () => void };

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}
