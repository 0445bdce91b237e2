/**
 * The BFF's own metrics (prom-client): its HTTP requests by declared route, its open event
 * streams, sign-in outcomes, and the default process metrics. Measured from the outside of the
 * routes, by one middleware.
 */
import type { NextFunction, Request, Response } from "express";
import client from "prom-client";

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class BffMetrics {
  readonly registry = new client.Registry();
  private readonly requests = new client.Counter({
    name: "sluice_bff_http_requests_total",
    help: "Requests answered by the BFF, by method, declared route and status",
    labelNames: ["method", "route", "status"],
    registers: [this.registry],
  });
  private readonly durations = new client.Histogram({
    name: "sluice_bff_http_request_duration_seconds",
    help: "Time to answer a request (event streams are counted when they end), by method and route",
    labelNames: ["method", "route"],
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly streams = new client.Gauge({
    name: "sluice_bff_event_streams_open",
    help: "Open event streams to browsers, by route",
    labelNames: ["route"],
    registers: [this.registry],
  });
  private readonly signIns = new client.Counter({
    name: "sluice_bff_sign_ins_total",
    help: "Sign-in attempts: success, failure (wrong user or password) or limited (too many attempts)",
    labelNames: ["outcome"],
    registers: [this.registry],
  });

  /** Times every request; the route is the declared pattern (`/api/builds/:id`), never the raw path. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    let route: string | undefined;
    let streaming = false;
    // The route is known once a handler runs; remember it before the router leaves the request.
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
    res.writeHead = ((...args: unknown[]) => {
      route = routeOf(req, res);
      const given = args.find((a): a is Record<string, unknown> => typeof a === "object" && a !== null);
      const type = res.getHeader("Content-Type") ?? given?.["Content-Type"] ?? given?.["content-type"];
      if (!streaming && String(type ?? "").startsWith("text/event-stream")) {
        streaming = true;
        this.streams.inc({ route });
      }
      return writeHead(...args);
    }) as typeof res.writeHead;
    res.once("close", () => {
      const label = route ?? routeOf(req, res);
      if (streaming) this.streams.dec({ route: label });
      this.requests.inc({ method: req.method, route: label, status: String(res.statusCode) });
      this.durations.observe({ method: req.method, route: label }, (performance.now() - started) / 1000);
      if (req.method === "POST" && label === "/api/session") {
        const outcome = res.statusCode === 200 ? "success" : res.statusCode === 429 ? "limited" : "failure";
        this.signIns.inc({ outcome });
      }
    });
    next();
  };
}

/**
 * Where a router is mounted (`/api`), kept for the route label: an error answered by the app's
 * error handler no longer has the router's `baseUrl`.
 */
export function rememberMount(req: Request, res: Response, next: NextFunction): void {
  res.locals.mountedAt ??= req.baseUrl;
  next();
}

function routeOf(req: Request, res: Response): string {
  const pattern = req.route?.path as string | undefined;
  if (pattern) return `${(res.locals.mountedAt as string | undefined) ?? req.baseUrl}${pattern}`;
  return req.originalUrl.startsWith("/api/") ? "unmatched" : "static";
}
