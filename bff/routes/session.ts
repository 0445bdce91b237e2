/** Sign-in, sign-out and who am I. */
import { type Request, Router } from "express";
import { BFF_KEY_HEADER, CLIENT_ADDRESS_HEADER } from "../../common/contract/identity.ts";
import type { EngineClient } from "../../common/engine-client.ts";
import { answer, bodyOf } from "../contract.ts";
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
    const { username, password } = bodyOf("signIn", req);
    // With the BFF key, the engine limits attempts by the browser's address rather than the BFF's.
    const headers = bffKey ? { [CLIENT_ADDRESS_HEADER]: clientAddress(req), [BFF_KEY_HEADER]: bffKey } : {};
    const session = await engine.call("signIn", { body: { username, password }, headers });
    setSessionCookie(req, res, session.token, session.expiresAt);
    answer(res, "signIn", { user: session.user, csrfToken: csrfFor(session.token) });
  });

  r.delete("/session", requireSession, requireCsrf, async (req, res) => {
    await engine
      .as(sessionToken(req) as string)
      .call("signOut", {})
      .catch(() => {
        // Already expired or revoked: signing out succeeds all the same.
      });
    clearSessionCookie(req, res);
    answer(res, "signOut", undefined);
  });

  r.get("/me", requireSession, async (_req, res) => {
    const token = res.locals.sessionToken as string;
    answer(res, "me", await me(engine.as(token), token));
  });

  return r;
}

function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? "unknown";
}
