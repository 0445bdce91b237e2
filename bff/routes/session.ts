/** Sign-in, sign-out and who am I. */
import { type Request, Router } from "express";
import { SignInRequest } from "../../common/bff-api.ts";
import { parseInput } from "../../common/validation.ts";
import type { EngineClient } from "../engine-client.ts";
import { me } from "../services/pages.ts";
import {
  clearSessionCookie,
  csrfFor,
  requireCsrf,
  requireSession,
  sessionToken,
  setSessionCookie,
} from "../session.ts";
/**
 * Sign-in is limited by the engine (per username and browser address, and per address): the BFF
 * forwards the browser's address with its key, and passes the engine's 429 and Retry-After on.
 */
export function sessionRoutes(engine: EngineClient, bffKey: string | undefined): Router {
  const r = Router();

  r.post("/session", async (req, res) => {
    const { username, password } = parseInput(SignInRequest, req.body ?? {});
    const session = await engine.signIn(username, password, { address: clientAddress(req), bffKey });
    setSessionCookie(req, res, session.token, session.expiresAt);
    res.json({ user: session.user, csrfToken: csrfFor(session.token) });
  });

  r.delete("/session", requireSession, requireCsrf, async (req, res) => {
    await engine
      .as(sessionToken(req) as string)
      .signOut()
      .catch(() => {
        // Already expired or revoked: signing out succeeds all the same.
      });
    clearSessionCookie(req, res);
    res.status(204).end();
  });

  r.get("/me", requireSession, async (_req, res) => {
    const token = res.locals.sessionToken as string;
    res.json(await me(engine.as(token), token));
  });

  return r;
}

function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? "unknown";
}
