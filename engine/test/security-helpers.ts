/** Helpers shared by the security suites: users with roles, and checks on refusals. */
import { expect } from "vitest";
import type { TestEngine } from "./harness.ts";

/** Creates a user with roles (as admin) and signs them in; returns their session token. */
export async function userWithRoles(
  t: TestEngine,
  username: string,
  grants: Record<string, "viewer" | "developer" | "maintainer">,
): Promise<string> {
  const created = await t.api.post("/v1/users", { username, password: `${username}-password` });
  if (created.status !== 201) throw new Error(`user: ${created.status} ${JSON.stringify(created.body)}`);
  for (const [project, role] of Object.entries(grants)) {
    const r = await t.api.request("PUT", `/v1/projects/${project}/members/${username}`, { role });
    if (r.status !== 200) throw new Error(`member: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return signIn(t, username);
}

export async function signIn(t: TestEngine, username: string, password = `${username}-password`): Promise<string> {
  const r = await t.api.as(undefined).post("/v1/sessions", { username, password });
  if (r.status !== 201) throw new Error(`sign-in: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}

/** A refusal: the status, a stable code, a message, and nothing about the server's insides. */
export function expectRefusal(res: { status: number; body: any }, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(typeof res.body.error.message).toBe("string");
  expectNoInternals(JSON.stringify(res.body));
}

/** No stack frame, no source file and no server path in `text`. */
export function expectNoInternals(text: string, serverPaths: string[] = []): void {
  expect(text).not.toMatch(/\n\s+at |\bat [\w.<>]+ \(|\.ts:\d+|node_modules|node:internal/);
  for (const p of [process.cwd(), ...serverPaths]) expect(text).not.toContain(p);
}
