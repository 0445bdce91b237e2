/** Users, sign-in sessions, API tokens and project members, as the API shows them. */
import type { z } from "zod";
import type { Me, NewUserRequest, SignInRequest, TokenRequest } from "../../../common/contract/identity.ts";
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from "../../../common/errors.ts";
import type { EngineContext } from "../../context.ts";
import { resolveProject, toProject } from "../catalog/catalog.ts";
import {
  type Actor,
  hashPassword,
  hashToken,
  identityChanged,
  newToken,
  permissionsOf,
  type Role,
  readableProjectIds,
  verifyPassword,
} from "../identity/identity.ts";
import { iso } from "../mappers.ts";

export const SESSION_HOURS = 12;

export type { Me, ProjectAccess } from "../../../common/contract/identity.ts";

export async function whoAmI(ctx: EngineContext, actor: Actor): Promise<Me> {
  const ids = await readableProjectIds(ctx, actor);
  const projects = await ctx.store.projects.listProjects(ids ? { ids } : {});
  const memberships = actor.isAdmin ? [] : await ctx.store.identity.membershipsOfUser({ userId: actor.userId });
  const roleOf = new Map(memberships.map((m) => [m.project_id, m.role as Role]));
  return {
    username: actor.username,
    isAdmin: actor.isAdmin,
    projects: projects.map((p) => {
      const role = actor.isAdmin ? "admin" : (roleOf.get(p.id) ?? "viewer");
      return {
        ...toProject(p),
        role,
        permissions: permissionsOf(role),
      };
    }),
  };
}

/**
 * Sign-in: a password checked with scrypt gives a session token that expires. Attempts are
 * limited per (username, address) and per address (`SignInLimiter`).
 */
export async function signIn(
  ctx: EngineContext,
  request: z.infer<typeof SignInRequest>,
  address: string,
): Promise<{ token: string; user: { username: string; isAdmin: boolean }; expiresAt: string }> {
  const pass = await ctx.signInLimiter.attempt(request.username, address);
  const user = await ctx.store.identity.findUser({ username: request.username });
  const ok = await verifyPassword(request.password, user?.password_hash ?? null, ctx.settings.passwordHashCost);
  if (!user || !ok) throw new UnauthenticatedError("Wrong username or password", "invalid_credentials");
  await ctx.signInLimiter.succeeded(pass);
  const token = newToken();
  const expiresAt = ctx.now() + (ctx.settings.sessionTtlMs ?? SESSION_HOURS * 3600_000);
  await ctx.store.identity.insertToken({
    userId: user.id,
    name: "session",
    tokenHash: hashToken(token),
    now: ctx.now(),
    kind: "session",
    expiresAt,
  });
  return {
    token,
    user: { username: user.username, isAdmin: user.is_admin === 1 },
    expiresAt: iso(expiresAt) as string,
  };
}

export async function signOut(ctx: EngineContext, actor: Actor): Promise<void> {
  if (actor.tokenKind !== "session" || actor.tokenId === undefined) {
    throw new ConflictError("not_a_session", "Only a session token can be signed out; revoke API tokens instead");
  }
  await ctx.store.identity.revokeToken({
    userId: actor.userId,
    tokenId: actor.tokenId,
    kind: "session",
    now: ctx.now(),
  });
  identityChanged(ctx, actor.userId);
}

function requireAdmin(actor: Actor, message = "Only an admin may manage users"): void {
  if (!actor.isAdmin) throw new ForbiddenError(message);
}

export async function listUsers(ctx: EngineContext, actor: Actor) {
  requireAdmin(actor);
  const users = await ctx.store.identity.listUsers();
  return users.map((u) => ({ username: u.username, isAdmin: u.is_admin === 1, createdAt: iso(u.created_at) }));
}

export async function createUser(ctx: EngineContext, actor: Actor, request: z.infer<typeof NewUserRequest>) {
  requireAdmin(actor);
  if (await ctx.store.identity.findUser({ username: request.username })) {
    throw new ConflictError("user_exists", `User "${request.username}" already exists`);
  }
  const user = await ctx.store.identity.insertUser({
    username: request.username,
    passwordHash: await hashPassword(request.password, ctx.settings.passwordHashCost),
    isAdmin: request.isAdmin,
    now: ctx.now(),
  });
  return { username: user.username, isAdmin: user.is_admin === 1, createdAt: iso(user.created_at) };
}

export async function createToken(ctx: EngineContext, actor: Actor, request: z.infer<typeof TokenRequest>) {
  const token = newToken();
  const row = await ctx.store.identity.insertToken({
    userId: actor.userId,
    name: request.name,
    tokenHash: hashToken(token),
    now: ctx.now(),
  });
  if (!row) throw new ConflictError("token_collision", "Could not create a token; try again");
  return { id: row.id, name: row.name, token, createdAt: iso(row.created_at) };
}

export async function listTokens(ctx: EngineContext, actor: Actor) {
  const rows = await ctx.store.identity.listTokens({ userId: actor.userId, kind: "api" });
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: iso(r.created_at), revokedAt: iso(r.revoked_at) }));
}

export async function revokeToken(ctx: EngineContext, actor: Actor, tokenId: number): Promise<void> {
  const revoked = await ctx.store.identity.revokeToken({ userId: actor.userId, tokenId, kind: "api", now: ctx.now() });
  if (!revoked) throw new NotFoundError(`Token ${tokenId} not found`, undefined, "token_not_found");
  identityChanged(ctx, actor.userId);
}

/** An agent token (admin only): it opens the agent channel (`POST /v1/agents/...`) and nothing else. */
export async function createAgentToken(ctx: EngineContext, actor: Actor, request: z.infer<typeof TokenRequest>) {
  requireAdmin(actor, "Only an admin may create agent tokens");
  const token = newToken();
  const row = await ctx.store.identity.insertToken({
    userId: actor.userId,
    name: request.name,
    tokenHash: hashToken(token),
    kind: "agent",
    now: ctx.now(),
  });
  if (!row) throw new ConflictError("token_collision", "Could not create a token; try again");
  return { id: row.id, name: row.name, token, createdAt: iso(row.created_at) };
}

export async function listAgentTokens(ctx: EngineContext, actor: Actor) {
  requireAdmin(actor, "Only an admin may list agent tokens");
  const rows = await ctx.store.identity.listTokens({ kind: "agent" });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdBy: r.username,
    createdAt: iso(r.created_at),
    revokedAt: iso(r.revoked_at),
  }));
}

export async function revokeAgentToken(ctx: EngineContext, actor: Actor, tokenId: number): Promise<void> {
  requireAdmin(actor, "Only an admin may revoke agent tokens");
  const revoked = await ctx.store.identity.revokeToken({ tokenId, kind: "agent", now: ctx.now() });
  if (!revoked) throw new NotFoundError(`Agent token ${tokenId} not found`, undefined, "token_not_found");
  identityChanged(ctx, revoked.userId);
}

export async function listMembers(ctx: EngineContext, actor: Actor, projectName: string) {
  const project = await resolveProject(ctx, actor, projectName, "read");
  return ctx.store.identity.membersOfProject({ projectId: project.id });
}

export async function setMember(ctx: EngineContext, actor: Actor, projectName: string, username: string, role: Role) {
  const project = await resolveProject(ctx, actor, projectName, "edit");
  const user = await ctx.store.identity.findUser({ username });
  if (!user) throw new NotFoundError(`User "${username}" not found`, undefined, "user_not_found");
  await ctx.store.identity.setMembership({ projectId: project.id, userId: user.id, role });
  identityChanged(ctx, user.id);
  return { username, role };
}

export async function removeMember(ctx: EngineContext, actor: Actor, projectName: string, username: string) {
  const project = await resolveProject(ctx, actor, projectName, "edit");
  const user = await ctx.store.identity.findUser({ username });
  if (!user || !(await ctx.store.identity.removeMembership({ projectId: project.id, userId: user.id }))) {
    throw new NotFoundError(`"${username}" is not a member of "${projectName}"`, undefined, "member_not_found");
  }
  identityChanged(ctx, user.id);
}
