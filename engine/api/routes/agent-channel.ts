/** The agent channel over HTTP, for agents that run outside the engine process (agent tokens only). */
import { type Response, Router } from "express";
import {
  AgentRegistration,
  AgentStateBody,
  JobReport,
  LogChunksRequest,
  PollRequest,
  StepReport,
  StopAcksRequest,
} from "../../../common/contract/agents.ts";
import { ForbiddenError } from "../../../common/errors.ts";
import type { EngineAgentChannel } from "../../agents/channel.ts";
import type { Actor } from "../../use-cases/identity/identity.ts";
import { parse } from "../http.ts";

/** Only an agent token (`POST /v1/agent-tokens`) opens the channel: no admin's, no person's. */
function requireAgentToken(res: Response): void {
  if ((res.locals.actor as Actor).tokenKind !== "agent") {
    throw new ForbiddenError("The agent channel takes an agent token (POST /v1/agent-tokens)", "agent_token_required");
  }
}

export function agentRoutes(channel: EngineAgentChannel): Router {
  const r = Router();
  // The gate covers the channel's paths only: any other path answers 404 to everyone.
  r.post("/agents/*rest", (_req, res, next) => {
    requireAgentToken(res);
    next();
  });

  r.post("/agents/register", async (req, res) => {
    res.json(await channel.register(parse(AgentRegistration, req.body)));
  });

  r.post("/agents/:id/poll", async (req, res) => {
    const body = parse(PollRequest, req.body);
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    res.json(await channel.poll({ ...body, agentId: req.params.id, signal: abort.signal }));
  });

  r.post("/agents/:id/heartbeat", async (req, res) => {
    res.json(await channel.heartbeat({ ...parse(AgentStateBody, req.body), agentId: req.params.id }));
  });

  r.post("/agents/:id/steps", async (req, res) => {
    res.json(await channel.reportStep(req.params.id, parse(StepReport, req.body)));
  });

  r.post("/agents/:id/jobs", async (req, res) => {
    res.json(await channel.reportJob(req.params.id, parse(JobReport, req.body)));
  });

  r.post("/agents/:id/logs", async (req, res) => {
    await channel.appendLog(req.params.id, parse(LogChunksRequest, req.body).chunks);
    res.status(204).end();
  });

  r.post("/agents/:id/stops/ack", async (req, res) => {
    await channel.acknowledgeStops(req.params.id, parse(StopAcksRequest, req.body).acks);
    res.status(204).end();
  });

  return r;
}
