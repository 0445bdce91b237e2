/** `sluice bff --engine URL`: the BFF and the web page alone, against an engine elsewhere. */
import { startBff } from "../bff/server.ts";
import type { Config } from "../common/config.ts";
import { createLogger } from "../common/logger.ts";
import { stopOnSignals } from "./engine-process.ts";
import { ensureWebBuild, WEB_DIST } from "./web-build.ts";

export async function runBff(config: Config, values: { engine?: string }): Promise<number> {
  const engineUrl = values.engine ?? config.engineUrl;
  if (!engineUrl) throw new Error("sluice bff needs --engine URL (or SLUICE_ENGINE_URL)");
  const log = createLogger(config.logLevel, "bff");
  await ensureWebBuild((msg) => log.info(msg));
  const bff = await startBff({
    engineUrl: engineUrl.replace(/\/$/, ""),
    webDist: WEB_DIST,
    log,
    host: config.host,
    port: config.bffPort,
    maxStreamsPerUser: config.maxStreamsPerUser,
    trustProxy: config.trustProxy,
    bffKey: config.bffKey,
    metricsToken: config.metricsToken,
  });
  if (!config.bffKey) {
    log.warn("SLUICE_BFF_KEY is not set: the engine limits sign-ins by this BFF's address, not the browsers'");
  }
  process.stderr.write(`Sluice BFF on ${bff.url} (engine ${engineUrl})\n`);
  stopOnSignals(bff.stop);
  return new Promise<number>(() => {});
}
