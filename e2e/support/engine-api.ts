/** The engine's API as admin: fixtures create projects, pipelines and builds through it. */
import type { StatusCounts } from "../../common/dto.ts";
import { E2E } from "./env.ts";

export class EngineApi {
  constructor(
    readonly url = E2E.engineURL,
    readonly token = E2E.adminToken,
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(this.url + path, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: (text && (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : text) as T,
    };
  }

  private async ok<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.request<T>(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  project(name: string) {
    return this.ok("PUT", `/v1/projects/${name}`, {});
  }
  pipeline(project: string, name: string, definition: object) {
    return this.ok("PUT", `/v1/projects/${project}/pipelines/${name}`, definition);
  }
  trigger(project: string, pipeline: string, body: object = {}) {
    return this.ok("POST", `/v1/projects/${project}/pipelines/${pipeline}/builds`, body);
  }
  build(id: number) {
    return this.ok("GET", `/v1/builds/${id}`);
  }
  counts(project: string, pipeline: string) {
    return this.ok<StatusCounts>("GET", `/v1/projects/${project}/pipelines/${pipeline}/builds/counts`);
  }
  async ensureUser(username: string, password: string) {
    const r = await this.request("POST", "/v1/users", { username, password });
    if (r.status !== 201 && r.status !== 409)
      throw new Error(`user ${username}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  member(project: string, username: string, role: string) {
    return this.ok("PUT", `/v1/projects/${project}/members/${username}`, { role });
  }
}

export const sleeper = (opts: { grace?: number; concurrency?: object } = {}) => ({
  cancelGraceSeconds: opts.grace ?? 2,
  ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
  stages: [
    {
      name: "main",
      jobs: [{ name: "work", steps: [{ run: 'if [ "$QUICK" = 1 ]; then exit 0; fi; echo started; sleep 600' }] }],
    },
  ],
});
