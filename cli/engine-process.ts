/** Composition root: the engine, its in-process agent and (later) the BFF in one process. */
import { Agent } from "../agent/agent.ts";
import { type BffHandle, startBff } from "../bff/server.ts";
import type { Config } from "../common/config.ts";
import { createLogger } from "../common/logger.ts";
import { type EngineHandle, startEngine } from "../engine/engine.ts";
import { seedDemo } from "./demo.ts";
import { ensureWebBuild, WEB_DIST } from "./web-build.ts";

export type Running = {
  engine: EngineHandle;
  agent: Agent | undefined;
  bff: BffHandle | undefined;
  stop: () => Promise<void>;
};

export async function startEngineProcess(config: Config, opts: { demo: boolean; bff: boolean }): Promise<Running> {
  const engine = await startEngine({
    settings: {
      dataDir: config.dataDir,
      stopAckTimeoutSeconds: config.stopAckTimeoutSeconds,
      agentTimeoutSeconds: config.agentTimeoutSeconds,
      eventRetentionHours: config.eventRetentionHours,
      batchCancelMaxIds: config.batchCancelMaxIds,
      logMaxBytes: config.logMaxBytes,
      maxRunningOperationsPerUser: config.maxRunningOperationsPerUser,
      adminPassword: config.adminPassword,
      adminToken: config.adminToken,
    },
    databaseUrl: config.databaseUrl,
    host: config.host,
    port: config.enginePort,
    logLevel: config.logLevel,
    localAgentId: config.agentName,
  });
  const log = createLogger(config.logLevel, "agent");
  let agent: Agent | undefined;
  if (config.agentSlots > 0) {
    agent = new Agent(engine.channel, {
      name: config.agentName,
      slots: config.agentSlots,
      workDir: config.workDir,
      baseEnv: config.stepBaseEnv,
      hiddenPaths: [config.dataDir],
      containment: config.containment,
      stepUser: config.stepUser,
      log: (msg, fields) => (msg === "agent started" ? log.info(msg, fields) : log.warn(msg, fields)),
    });
    await agent.start();
  }
  if (opts.demo) {
    const admin = await engine.ctx.store.identity.findUser({ username: "admin" });
    if (admin) await seedDemo(engine.ctx, { userId: admin.id, username: admin.username, isAdmin: true });
  }
  let bff: BffHandle | undefined;
  if (opts.bff) {
    await ensureWebBuild((msg) => log.info(msg));
    bff = await startBff({
      engineUrl: engine.url,
      webDist: WEB_DIST,
      log: createLogger(config.logLevel, "bff"),
      host: config.host,
      port: config.bffPort,
    });
  }
  return {
    engine,
    agent,
    bff,
    stop: async () => {
      await bff?.stop();
      await agent?.stop();
      await engine.stop();
    },
  };
}

/** Stops cleanly on SIGTERM/SIGINT: build processes are killed before the process exits. */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping\n`);
    stop()
      .then(() => process.exit(0))
      .catch((err) => {
        process.stderr.write(`stop failed: ${String(err)}\n`);
        process.exit(1);
      });
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}
