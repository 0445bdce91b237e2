/** `sluice agent`: an agent that runs jobs for remote engines over HTTP, failing over between them. */
import path from "node:path";
import { Agent } from "../agent/agent.ts";
import { HttpAgentChannel } from "../agent/http-channel.ts";
import type { Config } from "../common/config.ts";
import { createLogger } from "../common/logger.ts";
import { agentIdentity } from "./agent-identity.ts";
import { stopOnSignals } from "./engine-process.ts";

export type AgentFlags = { engine?: string; name?: string; slots?: number };

export async function runAgent(config: Config, values: AgentFlags): Promise<number> {
  const engineUrls = values.engine ? values.engine.split(",").map((u) => u.trim()) : config.engineUrls;
  if (engineUrls.length === 0) throw new Error("sluice agent needs --engine URL[,URL...] (or SLUICE_ENGINE_URL)");
  // Never the admin token: the engine refuses it on the agent channel.
  if (!config.token) {
    throw new Error("sluice agent needs an agent token in SLUICE_TOKEN (an admin creates one: POST /v1/agent-tokens)");
  }
  const token = config.token;
  const name = agentIdentity(config.dataDir, values.name ?? config.agentName);
  const log = createLogger(config.logLevel, "agent");
  const channel = new HttpAgentChannel(engineUrls, token, (from, to) =>
    log.warn("engine not answering: failing over", { from, to }),
  );
  let fatal: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    fatal = resolve;
  });
  const agent = new Agent(channel, {
    name,
    slots: values.slots ?? config.agentSlots,
    workDir: path.join(config.workDir, name),
    baseEnv: config.stepBaseEnv,
    hiddenPaths: [config.dataDir],
    containment: config.containment,
    stepUser: config.stepUser,
    log: (msg, fields) => (msg === "agent started" ? log.info(msg, fields) : log.warn(msg, fields)),
    onFatal: (err) => {
      log.error("agent stopping", { err });
      void agent.stop().finally(() => fatal(1));
    },
  });
  await agent.start();
  process.stderr.write(`Agent ${name} running jobs for ${engineUrls.join(", ")}\n`);
  stopOnSignals(
    () => agent.stop(),
    () => agent.maxGraceMs + 5000,
  );
  return exited;
}
