/** `sluice bff --engine URL[,URL...]`: the BFF and the web page alone, against engines elsewhere (failing over in that order). */
import { startBff } from "../bff/server.ts";
import type { Config } from "../common/config.ts";
import { createLogger } from "../common/logger.ts";
import { stopOnSignals } from "./engine-process.ts";
import { ensureWebBuild, WEB_DIST } from "./web-build.ts";

export async function runBff(config: Config, values: { engine?: string }): Promise<number> {
  const engineUrls = values.engine
    ? values.engine.split(",").map((u) => u.trim().replace(/\/$/, ""))
    : config.engineUrls;
  const engineUrl = engineUrls[0];
  if (!engineUrl) throw new Error("sluice bff needs --engine URL[,URL...] (or SLUICE_ENGINE_URL)");
  const log = createLogger(config.logLevel, "bff");
  await ensureWebBuild((msg) => log.info(msg));
  const bff = await startBff({
    engineUrl,
    engineUrls,
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
  process.stderr.write(`Sluice BFF on ${bff.url} (engine ${engineUrls.join(", ")})\n`);
  stopOnSignals(bff.stop);
  return new Promise<number>(() => {});
}
