/** Composition root: the engine, its in-process agent and (later) the BFF in one process. */
import crypto from "node:crypto";
import { Agent } from "../agent/agent.ts";
import { type BffHandle, startBff } from "../bff/server.ts";
import type { Config } from "../common/config.ts";
import { createLogger } from "../common/logger.ts";
import { type EngineHandle, startEngine } from "../engine/engine.ts";
import { agentIdentity } from "./agent-identity.ts";
import { seedDemo } from "./demo.ts";
import { ensureDemoRepository } from "./demo-repository.ts";
import { ensureWebBuild, WEB_DIST } from "./web-build.ts";

export type Running = {
  engine: EngineHandle;
  agent: Agent | undefined;
  bff: BffHandle | undefined;
  /** The demo's bare repository to clone and push to (when the demo was seeded and git is there). */
  demoRepository: string | undefined;
  stop: () => Promise<void>;
  /** How long a graceful stop may take: the longest grace of a running job, plus 5 s. */
  stopDeadlineMs: () => number;
};

export async function startEngineProcess(config: Config, opts: { demo: boolean; bff: boolean }): Promise<Running> {
  const agentId = agentIdentity(config.dataDir, config.agentName);
  // The in-process BFF vouches for browser addresses with a key only this process knows.
  const bffKey = config.bffKey ?? (opts.bff ? crypto.randomBytes(24).toString("base64url") : undefined);
  const engine = await startEngine({
    settings: {
      dataDir: config.dataDir,
      stopAckTimeoutSeconds: config.stopAckTimeoutSeconds,
      agentTimeoutSeconds: config.agentTimeoutSeconds,
      agentHeartbeatSeconds: config.agentHeartbeatSeconds,
      eventRetentionHours: config.eventRetentionHours,
      batchCancelMaxIds: config.batchCancelMaxIds,
      previewTtlSeconds: config.previewTtlSeconds,
      logMaxBytes: config.logMaxBytes,
      maxRunningOperationsPerUser: config.maxRunningOperationsPerUser,
      maxStreamsPerUser: config.maxStreamsPerUser,
      adminPassword: config.adminPassword,
      adminToken: config.adminToken,
      trustProxy: config.trustProxy,
      bffKey,
      webhooks: config.webhooks,
      secretKey: config.secretKey,
      publicUrl: config.publicUrl ?? `http://localhost:${config.bffPort}`,
    },
    metricsToken: config.metricsToken,
    databaseUrl: config.databaseUrl,
    host: config.host,
    port: config.enginePort,
    logLevel: config.logLevel,
    localAgentId: agentId,
  });
  const log = createLogger(config.logLevel, "agent");
  let agent: Agent | undefined;
  if (config.agentSlots > 0) {
    agent = new Agent(engine.channel, {
      name: agentId,
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
  let demoRepository: string | undefined;
  if (opts.demo) {
    const admin = await engine.ctx.store.identity.findUser({ username: "admin" });
    if (admin) {
      const actor = { userId: admin.id, username: admin.username, isAdmin: true };
      await seedDemo(engine.ctx, actor);
      try {
        demoRepository = await ensureDemoRepository(engine.ctx, actor, engine.url);
      } catch (err) {
        createLogger(config.logLevel, "demo").warn("the demo repository was not made (is git installed?)", { err });
      }
    }
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
      maxStreamsPerUser: config.maxStreamsPerUser,
      trustProxy: config.trustProxy,
      bffKey,
      metricsToken: config.metricsToken,
    });
  }
  return {
    engine,
    agent,
    bff,
    demoRepository,
    // No new work first: the agent stops polling and stops its jobs (each with its grace) while
    // the BFF drains; then the engine.
    stop: async () => {
      await Promise.all([agent?.stop(), bff?.stop()]);
      await engine.stop();
    },
    stopDeadlineMs: () => (agent?.maxGraceMs ?? 0) + 5000,
  };
}

/**
 * Stops cleanly on SIGTERM/SIGINT: build processes are stopped (with their grace) before the
 * process exits, and the exit comes by `deadlineMs()` whatever is left (the build processes die
 * with the process). A second signal exits at once.
 */
export function stopOnSignals(stop: () => Promise<void>, deadlineMs: () => number = () => 5000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    const deadline = deadlineMs();
    process.stderr.write(`${signal}: stopping (at most ${Math.ceil(deadline / 1000)}s)\n`);
    setTimeout(() => {
      process.stderr.write("graceful stop took too long: exiting\n");
      process.exit(1);
    }, deadline).unref();
    stop()
      .then(() => process.exit(0))
      .catch((err) => {
        process.stderr.write(`stop failed: ${String((err as Error)?.stack ?? err)}\n`);
        process.exit(1);
      });
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}
