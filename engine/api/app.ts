/** The engine's HTTP API: `/healthz` and the authenticated `/v1` routes. */
import express, { type NextFunction, type Request, type Response } from "express";
import { SignInRequest } from "../../common/contract/identity.ts";
import { createOpenApiDocument } from "../../common/contract/openapi.ts";
import { errorHandler, notFoundHandler } from "../../common/express-errors.ts";
import { rejectControlCharacters } from "../../common/input-guard.ts";
import { requestLog } from "../../common/request-log.ts";
import type { EngineAgentChannel } from "../agents/channel.ts";
import type { EngineContext } from "../context.ts";
import { asUnavailable } from "../store/db-errors.ts";
import { authenticateToken } from "../use-cases/identity/identity.ts";
import { signIn } from "../use-cases/users/users.ts";
import { parse, signInAddress } from "./http.ts";
import { agentRoutes } from "./routes/agent-channel.ts";
import { agentListRoutes } from "./routes/agents.ts";
import { buildRoutes } from "./routes/builds.ts";
import { catalogRoutes } from "./routes/catalog.ts";
import { eventRoutes } from "./routes/events.ts";
import { identityRoutes } from "./routes/identity.ts";
import { operationRoutes } from "./routes/operations.ts";
import { inboundHookRoutes, repositoryRoutes } from "./routes/repositories.ts";
import { webhookRoutes } from "./routes/webhooks.ts";

export const BODY_LIMIT = "1mb";

export type EngineAppOptions = {
  heartbeatMs?: number;
  /** `GET /metrics` (outside `/v1`: a scrape needs the metrics token, not a user's). */
  metrics?: (req: Request, res: Response) => Promise<void>;
};

export function createEngineApp(ctx: EngineContext, channel: EngineAgentChannel, options: EngineAppOptions = {}) {
  const app = express();
  app.disable("x-powered-by");
  app.use(requestLog(ctx.log));
  app.set("query parser", "simple");
  app.set("trust proxy", ctx.settings.trustProxy ?? false);
  // Live: the process answers. Ready (and /healthz): it can reach its database too.
  app.get("/healthz/live", (_req, res) => {
    res.json({ status: "ok" });
  });
  const ready = async (_req: Request, res: Response) => {
    const database = await ctx.store.ping(2000);
    res
      .status(database ? 200 : 503)
      .json(database ? { status: "ok" } : { status: "unavailable", database: "unreachable" });
  };
  app.get("/healthz/ready", ready);
  app.get("/healthz", ready);
  if (options.metrics) app.get("/metrics", options.metrics);

  const v1 = express.Router();
  // Every response says how many SQL statements it took (X-Sluice-Statements): batching is visible.
  v1.use((_req: Request, res: Response, next: NextFunction) => {
    const counter = { count: 0 };
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
    res.writeHead = ((...args: unknown[]) => {
      if (!res.headersSent) res.setHeader("X-Sluice-Statements", String(counter.count));
      return writeHead(...args);
    }) as typeof res.writeHead;
    ctx.store.withStatementCounter(counter, next);
  });
  // Before the JSON parser and the token: a provider's hook is verified over its raw bytes.
  v1.use(inboundHookRoutes(ctx));
  v1.use(express.json({ limit: BODY_LIMIT }));
  v1.use(
    express.text({ limit: BODY_LIMIT, type: ["application/yaml", "application/x-yaml", "text/yaml", "text/plain"] }),
  );
  // Agents' log chunks carry a step's raw output; the agent channel decides what to keep of it.
  v1.use(rejectControlCharacters({ skipBody: (req) => req.method === "POST" && /^\/agents\//i.test(req.path) }));
  // The API's description and sign-in are the calls without a token.
  let openapi: ReturnType<typeof createOpenApiDocument> | undefined;
  v1.get("/openapi.json", (_req: Request, res: Response) => {
    openapi ??= createOpenApiDocument();
    res.json(openapi);
  });
  v1.post("/sessions", async (req: Request, res: Response) => {
    res
      .status(201)
      .json(await signIn(ctx, parse(SignInRequest, req.body ?? {}), signInAddress(req, ctx.settings.bffKey)));
  });
  v1.use(async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get("Authorization");
    const token = header?.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : undefined;
    res.locals.actor = await authenticateToken(ctx, token);
    res.locals.token = token;
    next();
  });
  v1.use(identityRoutes(ctx));
  v1.use(catalogRoutes(ctx));
  v1.use(buildRoutes(ctx));
  v1.use(operationRoutes(ctx));
  v1.use(webhookRoutes(ctx));
  v1.use(repositoryRoutes(ctx));
  v1.use(eventRoutes(ctx, options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : undefined));
  v1.use(agentListRoutes(ctx));
  v1.use(agentRoutes(channel));

  app.use("/v1", v1);
  app.use(notFoundHandler);
  // A dropped or refused database connection is a 503 the caller may retry, not a 500.
  app.use((err: unknown, _req: Request, _res: Response, next: NextFunction) => next(asUnavailable(err)));
  app.use(errorHandler(ctx.log));
  return app;
}
