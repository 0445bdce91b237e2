/**
 * `GET /metrics` in Prometheus' text format, for the engine and the BFF alike. A scrape must
 * send `Authorization: Bearer <SLUICE_METRICS_TOKEN>`; without a configured token the endpoint
 * is off (403 `metrics_token_required`), since the engine's figures name every project and
 * pipeline of the instance.
 */
import crypto from "node:crypto";
import type { Request, Response } from "express";
import client from "prom-client";
/** A prom-client `Registry`, or anything that renders like one. */
export type MetricsSource = { contentType: string; metrics: () => Promise<string> };

import { ForbiddenError, UnauthenticatedError } from "./errors.ts";

const digest = (value: string) => crypto.createHash("sha256").update(value).digest();

let processMetrics: client.Registry | undefined;

/**
 * prom-client's default process metrics (CPU, memory, event loop, GC), collected once per
 * process however many servers it runs (the all-in-one start has an engine and a BFF).
 */
export function processRegistry(): client.Registry {
  if (!processMetrics) {
    processMetrics = new client.Registry();
    client.collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/** A server's own metrics followed by the process's. */
export function withProcessMetrics(registry: client.Registry): MetricsSource {
  return {
    contentType: registry.contentType,
    metrics: async () => `${await registry.metrics()}\n${await processRegistry().metrics()}`,
  };
}

export function metricsHandler(registry: MetricsSource, token: string | undefined) {
  const expected = token ? digest(token) : undefined;
  return async (req: Request, res: Response) => {
    if (!expected) {
      throw new ForbiddenError(
        "GET /metrics is off: set SLUICE_METRICS_TOKEN and scrape with Authorization: Bearer <token>",
        "metrics_token_required",
      );
    }
    const header = req.get("Authorization");
    const sent = header?.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : undefined;
    if (!sent) throw new UnauthenticatedError("Send Authorization: Bearer <SLUICE_METRICS_TOKEN>", "unauthenticated");
    // Hashes have one length, so the comparison takes the same time whatever was sent.
    if (!crypto.timingSafeEqual(digest(sent), expected)) {
      throw new UnauthenticatedError("The metrics token is wrong", "invalid_token");
    }
    const body = await registry.metrics();
    res.set("Content-Type", registry.contentType).set("Cache-Control", "no-store").send(body);
  };
}
