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

  /** `agentSlots`: slots of the engine's in-process agent (0: builds stay queued). */
  constructor(private readonly agentSlots = 20) {}

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
    });
    await expect.poll(() => healthy(this.engineUrl), { timeout: 60_000 }).toBe(true);
  }

  /** SIGTERM: the engine stops its agent's processes and exits. */
  async stopEngine(): Promise<void> {
    await stop(this.engine);
    this.engine = undefined;
  }

  async destroy(): Promise<void> {
    await stop(this.bff);
    await stop(this.engine);
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    fs.rmSync(`${this.dataDir}-workspaces`, { recursive: true, force: true });
  }
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}
