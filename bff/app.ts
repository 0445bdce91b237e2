/** The BFF: `/api` for the page (sessions, CSRF, aggregation, streams) and the built page itself. */
import cookieParser from "cookie-parser";
import express from "express";
import helmet from "helmet";
import { createPageOpenApiDocument } from "../common/contract/openapi.ts";
import { EngineClient } from "../common/engine-client.ts";
import { failoverFetch } from "../common/engine-failover.ts";
import { errorHandler, notFoundHandler } from "../common/express-errors.ts";
import { rejectControlCharacters } from "../common/input-guard.ts";
import type { Logger } from "../common/logger.ts";
import { metricsHandler, withProcessMetrics } from "../common/metrics-endpoint.ts";
import { requestLog } from "../common/request-log.ts";
import { StreamSlots } from "../common/stream-slots.ts";
import { answer } from "./contract.ts";
import { BffMetrics, rememberMount } from "./metrics.ts";
import { apiRoutes } from "./routes/api.ts";
import { repositoryRoutes } from "./routes/repositories.ts";
import { sessionRoutes } from "./routes/session.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { requireCsrf, requireSession } from "./session.ts";
import { webRoutes } from "./static.ts";

export type BffOptions = {
  engineUrl: string;
  /** Engines sharing one database, in failover order (`engineUrl` is the first); see `failoverFetch`. */
  engineUrls?: readonly string[];
  webDist: string;
  log: Logger;
  /** Streams one user may hold open on this BFF (SLUICE_MAX_STREAMS_PER_USER). */
  maxStreamsPerUser?: number;
  /** Which reverse proxies' X-Forwarded-For is believed (SLUICE_TRUST_PROXY); none by default. */
  trustProxy?: false | number | string[];
  /** Shown to the engine with each sign-in so it believes the browser address (SLUICE_BFF_KEY). */
  bffKey?: string | undefined;
  /** `GET /metrics` needs `Authorization: Bearer <this>` when set (`SLUICE_METRICS_TOKEN`). */
  metricsToken?: string | undefined;
};

/** The page API's OpenAPI document, generated once from the page's route table. */
let pageDocument: Record<string, unknown> | undefined;
function pageOpenApiDocument(): Record<string, unknown> {
  pageDocument ??= { ...createPageOpenApiDocument() };
  return pageDocument;
}

export function createBffApp(options: BffOptions) {
  const urls = options.engineUrls?.length ? options.engineUrls : [options.engineUrl];
  const engine = new EngineClient(urls[0] as string, urls.length > 1 ? { fetch: failoverFetch(urls) } : {});
  const metrics = new BffMetrics();
  const app = express();
  app.disable("x-powered-by");
  // Only proxies named in SLUICE_TRUST_PROXY are believed (the client address, https for Secure cookies).
  app.set("trust proxy", options.trustProxy ?? false);
  app.use(requestLog(options.log));
  app.set("query parser", "simple");
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          // antd writes its styles at run time.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", "data:"],
          connectSrc: ["'self'"],
        },
      },
    }),
  );
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/metrics", metricsHandler(withProcessMetrics(metrics.registry), options.metricsToken));
  app.use(metrics.middleware);

  const api = express.Router();
  api.use(rememberMount, express.json({ limit: "1mb" }), cookieParser(), rejectControlCharacters());
  api.get("/openapi.json", (_req, res) => answer(res, "openApi", pageOpenApiDocument()));
  api.use(sessionRoutes(engine, options.bffKey));
  api.use(
    requireSession,
    requireCsrf,
    apiRoutes(engine, new StreamSlots(options.maxStreamsPerUser ?? 20)),
    webhookRoutes(engine),
    repositoryRoutes(engine),
  );
  api.use(notFoundHandler);
  app.use("/api", api);
  app.use(webRoutes(options.webDist));
  app.use(errorHandler(options.log));
  return app;
}
