/** BFF integration tests: a real engine (with the test harness) and a real BFF on free ports. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLogger } from "../../common/logger.ts";
import { readSse } from "../../common/sse-parser.ts";
import { type StartOptions, startTestEngine, type TestEngine } from "../../engine/test/harness.ts";
import { type BffHandle, startBff } from "../server.ts";

/** The key the test BFF shows its engine with sign-ins (SLUICE_BFF_KEY). */
export const TEST_BFF_KEY = "test-bff-key";

export type Stack = {
  engine: TestEngine;
  bff: BffHandle;
  webDist: string;
  /** What the BFF logged (warnings and errors, request logs included), one JSON line each. */
  logged: string[];
  destroy: () => Promise<void>;
};

/** `webDist`: serve this built page instead of a stand-in (the UI benchmark serves the real one). */
export async function startStack(
  opts: StartOptions & {
    webDist?: string;
    maxStreamsPerUser?: number;
    trustProxy?: false | number | string[];
    bffMetricsToken?: string;
    /** Where the BFF finds the engine (a proxy in front of it, say); the engine's own URL by default. */
    engineUrlFor?: (engineUrl: string) => string;
  },
): Promise<Stack> {
  const engine = await startTestEngine({ ...opts, settings: { bffKey: TEST_BFF_KEY, ...opts.settings } });
  const webDist = opts.webDist ?? fs.mkdtempSync(path.join(os.tmpdir(), "sluice-web-"));
  if (!opts.webDist) {
    fs.mkdirSync(path.join(webDist, "assets"));
    fs.writeFileSync(path.join(webDist, "index.html"), "<!doctype html><title>Sluice</title>");
    fs.writeFileSync(path.join(webDist, "assets", "app-abc123.js"), "console.log('hi')");
  }
  const logged: string[] = [];
  // Every line the BFF writes, its request logs included, is kept for the test to read.
  const log = createLogger("warn", "bff", { write: (line: string) => void logged.push(line) });
  const bff = await startBff({
    engineUrl: opts.engineUrlFor?.(engine.engine.url) ?? engine.engine.url,
    webDist,
    log,
    host: "127.0.0.1",
    port: 0,
    bffKey: TEST_BFF_KEY,
    ...(opts.trustProxy !== undefined ? { trustProxy: opts.trustProxy } : {}),
    maxStreamsPerUser: opts.maxStreamsPerUser ?? 20,
    ...(opts.bffMetricsToken ? { metricsToken: opts.bffMetricsToken } : {}),
  });
  return {
    engine,
    bff,
    webDist,
    logged,
    destroy: async () => {
      await bff.stop();
      await engine.destroy();
      if (!opts.webDist) fs.rmSync(webDist, { recursive: true, force: true });
    },
  };
}

/** Creates a user with a role in a project, through the engine's API as admin. */
export async function addUser(
  stack: Stack,
  username: string,
  grants: Record<string, "viewer" | "developer" | "maintainer">,
) {
  const api = stack.engine.api;
  const created = await api.post("/v1/users", { username, password: `${username}-password` });
  if (created.status !== 201) throw new Error(`user: ${created.status} ${JSON.stringify(created.body)}`);
  for (const [project, role] of Object.entries(grants)) {
    const r = await api.request("PUT", `/v1/projects/${project}/members/${username}`, { role });
    if (r.status !== 200) throw new Error(`member: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

export type Message = { id: string | undefined; event: string; data: any };

/** A browser: keeps the session cookie and the CSRF token. */
export class Browser {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(readonly url: string) {}

  async request(method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (this.csrf && method !== "GET" && !("X-CSRF-Token" in headers)) h["X-CSRF-Token"] = this.csrf;
    if (body !== undefined) h["Content-Type"] = "application/json";
    const res = await fetch(this.url + pathname, {
      method,
      headers: h,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) this.cookie = setCookie.split(";")[0]?.endsWith("=") ? undefined : setCookie.split(";")[0];
    const text = await res.text();
    const json = (res.headers.get("content-type") ?? "").includes("json") && text ? JSON.parse(text) : text;
    return { status: res.status, body: json as any, headers: res.headers };
  }

  async signIn(username: string, password = `${username}-password`) {
    const r = await this.request("POST", "/api/session", { username, password });
    if (r.status === 200) this.csrf = r.body.csrfToken;
    return r;
  }

  /** Reads an SSE stream until `until` says so, the stream ends, or the timeout passes. */
  async stream(
    pathname: string,
    opts: {
      lastEventId?: string;
      until?: (messages: Message[]) => boolean;
      timeoutMs?: number;
      onOpen?: () => Promise<void> | void;
      /** Closes the stream from the browser's side. */
      signal?: AbortSignal;
    } = {},
  ): Promise<{ status: number; messages: Message[]; ended: boolean }> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), opts.timeoutMs ?? 20_000);
    opts.signal?.addEventListener("abort", () => abort.abort(), { once: true });
    const headers: Record<string, string> = {};
    if (this.cookie) headers.Cookie = this.cookie;
    if (opts.lastEventId) headers["Last-Event-ID"] = opts.lastEventId;
    const messages: Message[] = [];
    try {
      const res = await fetch(this.url + pathname, { headers, signal: abort.signal });
      if (!res.ok || !res.body) return { status: res.status, messages, ended: true };
      await opts.onOpen?.();
      await readSse(
        res.body,
        (e) => {
          messages.push({ id: e.id, event: e.event, data: JSON.parse(e.data) });
          if (opts.until?.(messages)) abort.abort();
        },
        abort.signal,
      );
      // Without an abort (by `until` or the timeout), the server ended the stream.
      return { status: res.status, messages, ended: !abort.signal.aborted };
    } catch (err) {
      if (abort.signal.aborted) return { status: 200, messages, ended: false };
      throw err;
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  }
}
