/** `sluice agent`: an agent that runs jobs for a remote engine over HTTP. */
import path from "node:path";
import { parseArgs } from "node:util";
import { Agent } from "../agent/agent.ts";
import { HttpAgentChannel } from "../agent/http-channel.ts";
import type { Config } from "../common/config.ts";
import { stopOnSignals } from "./engine-process.ts";
import { readToken } from "./token.ts";

export async function runAgent(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { engine: { type: "string" }, name: { type: "string" }, slots: { type: "string" } },
  });
  const engineUrl = values.engine ?? config.engineUrl;
  if (!engineUrl) throw new Error("sluice agent needs --engine URL (or SLUICE_ENGINE_URL)");
  const name = values.name ?? config.agentName;
  const agent = new Agent(new HttpAgentChannel(engineUrl.replace(/\/$/, ""), readToken(config)), {
    name,
    slots: values.slots ? Number(values.slots) : config.agentSlots,
    workDir: path.join(config.workDir, name),
    baseEnv: config.stepBaseEnv,
    hiddenPaths: [config.dataDir],
    containment: config.containment,
    stepUser: config.stepUser,
    log: (msg, fields) => process.stderr.write(`${JSON.stringify({ msg, ...fields })}\n`),
  });
  await agent.start();
  process.stderr.write(`Agent ${name} running jobs for ${engineUrl}\n`);
  stopOnSignals(() => agent.stop());
  return new Promise<number>(() => {});
}
