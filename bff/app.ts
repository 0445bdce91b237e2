/** The BFF: `/api` for the page (sessions, CSRF, aggregation, streams) and the built page itself. */
import cookieParser from "cookie-parser";
import express from "express";
import helmet from "helmet";
import { errorHandler, notFoundHandler } from "../common/express-errors.ts";
import type { Logger } from "../common/logger.ts";
import { metricsHandler, withProcessMetrics } from "../common/metrics-endpoint.ts";
import { requestLog } from "../common/request-log.ts";
import { EngineClient } from "./engine-client.ts";
import { BffMetrics, rememberMount } from "./metrics.ts";
import { apiRoutes } from "./routes/api.ts";
import { sessionRoutes } from "./routes/session.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { requireCsrf, requireSession } from "./session.ts";
import { SignInLimiter } from "./sign-in-limiter.ts";
import { webRoutes } from "./static.ts";

export type BffOptions = {
  engineUrl: string;
  webDist: string;
  log: Logger;
  limiter?: SignInLimiter;
  /** `GET /metrics` needs `Authorization: Bearer <this>` when set (`SLUICE_METRICS_TOKEN`). */
  metricsToken?: string | undefined;
};

export function createBffApp(options: BffOptions) {
  const engine = new EngineClient(options.engineUrl);
  const metrics = new BffMetrics();
  const app = express();
  app.disable("x-powered-by");
  app.use(requestLog(options.log));
  // Behind a local reverse proxy that terminates https, cookies are marked Secure.
  app.set("trust proxy", "loopback, linklocal, uniquelocal");
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
  api.use(rememberMount, express.json({ limit: "1mb" }), cookieParser());
  api.use(sessionRoutes(engine, options.limiter ?? new SignInLimiter()));
  api.use(requireSession, requireCsrf, apiRoutes(engine), webhookRoutes(engine));
  api.use(notFoundHandler);
  app.use("/api", api);
  app.use(webRoutes(options.webDist));
  app.use(errorHandler(options.log));
  return app;
}
