/**
 * Who is calling and what they may do: users, hashed passwords and API tokens, project roles.
 * The engine is the one place that enforces permissions.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { MEMBER_ROLES } from "../../../common/contract/identity.ts";
import { ForbiddenError, NotFoundError, UnauthenticatedError } from "../../../common/errors.ts";
import type { EngineContext } from "../../context.ts";
import { TOPICS } from "../../ports/wakeups.ts";
import type { TokenKind } from "../../store/identity-repo.ts";
import type { ProjectRow } from "../../store/projects-repo.ts";

const scrypt = promisify(crypto.scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: crypto.ScryptOptions,
) => Promise<Buffer>;

export const ROLES = MEMBER_ROLES;
export type Role = (typeof ROLES)[number];
/** What each action needs: a viewer reads, a developer triggers and cancels, a maintainer edits and reads the audit log. */
export const ACTION_ROLE = {
  read: "viewer",
  trigger: "developer",
  cancel: "developer",
  edit: "maintainer",
  audit: "maintainer",
} as const satisfies Record<string, Role>;
export type Action = keyof typeof ACTION_ROLE;

export type Actor = {
  userId: number;
  username: string;
  isAdmin: boolean;
  tokenId?: number;
  tokenKind?: TokenKind;
  /** When the token stops working (sessions), in epoch milliseconds. */
  expiresAt?: number | null;
};

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 };

/** A password's stored form: `scrypt$N$r$p$salt$hash`, at cost N (`passwordHashCost`). */
export async function hashPassword(password: string, cost: number = SCRYPT.N): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, SCRYPT.keyLength, { N: cost, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${cost}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

export async function verifyPassword(
  password: string,
  stored: string | null,
  cost: number = SCRYPT.N,
): Promise<boolean> {
  const parts = stored?.split("$");
  if (parts?.length !== 6 || parts[0] !== "scrypt") {
    // Spend comparable time so that an unknown user is not told apart by timing.
    await hashPassword(password, cost);
    return false;
  }
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, "base64");
  const actual = await scrypt(password, Buffer.from(salt, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return crypto.timingSafeEqual(actual, expected);
}

export function newToken(): string {
  return `slu_${crypto.randomBytes(24).toString("base64url")}`;
}

export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

/**
 * Tells every stream of the user, on this and the other replicas, that their right to read may
 * have changed (sign-out, a token revoked, a membership changed): they re-check at once.
 */
export function identityChanged(ctx: EngineContext, userId: number): void {
  ctx.bus.publish(TOPICS.identity(userId));
}

export async function authenticateToken(ctx: EngineContext, token: string | undefined): Promise<Actor> {
  if (!token) throw new UnauthenticatedError("Send Authorization: Bearer <token>", "unauthenticated");
  const row = await ctx.store.identity.findByTokenHash({ tokenHash: hashToken(token), now: ctx.now() });
  if (!row) throw new UnauthenticatedError("The token is unknown, expired or revoked", "invalid_token");
  return {
    userId: row.id,
    username: row.username,
    isAdmin: row.is_admin === 1,
    tokenId: row.token_id,
    tokenKind: row.kind as TokenKind,
    expiresAt: row.expires_at,
  };
}

export async function roleIn(ctx: EngineContext, actor: Actor, projectId: number): Promise<Role | "admin" | null> {
  if (actor.isAdmin) return "admin";
  const memberships = await ctx.store.identity.membershipsOfUser({ userId: actor.userId });
  const role = memberships.find((m) => m.project_id === projectId)?.role;
  return (ROLES as readonly string[]).includes(role ?? "") ? (role as Role) : null;
}

export type Permissions = {
  canRead: boolean;
  canTrigger: boolean;
  canCancel: boolean;
  canEdit: boolean;
  canAudit: boolean;
};

export function permissionsOf(role: Role | "admin" | null): Permissions {
  return {
    canRead: roleAllows(role, "read"),
    canTrigger: roleAllows(role, "trigger"),
    canCancel: roleAllows(role, "cancel"),
    canEdit: roleAllows(role, "edit"),
    canAudit: roleAllows(role, "audit"),
  };
}

export function roleAllows(role: Role | "admin" | null, action: Action): boolean {
  if (role === "admin") return true;
  if (role === null) return false;
  return ROLES.indexOf(role) >= ROLES.indexOf(ACTION_ROLE[action]);
}

/**
 * Checks that `actor` may do `action` in the project. Someone who may not even read the project
 * is told it does not exist, so names of other projects do not leak.
 */
export async function authorize(ctx: EngineContext, actor: Actor, project: ProjectRow, action: Action): Promise<void> {
  const role = await roleIn(ctx, actor, project.id);
  if (!roleAllows(role, "read"))
    throw new NotFoundError(`Project "${project.name}" not found`, undefined, "project_not_found");
  if (!roleAllows(role, action)) {
    throw new ForbiddenError(
      `Your role (${role}) in "${project.name}" may not ${action} here; ${ACTION_ROLE[action]} or above is needed`,
    );
  }
}

/** Project ids the actor may read; undefined means all (admin). */
export async function readableProjectIds(ctx: EngineContext, actor: Actor): Promise<number[] | undefined> {
  if (actor.isAdmin) return undefined;
  const memberships = await ctx.store.identity.membershipsOfUser({ userId: actor.userId });
  return memberships.filter((m) => roleAllows(m.role as Role, "read")).map((m) => m.project_id);
}

/** A secret from the environment, else one kept in a file in the data dir, else a new one written there. */
export function secret(dataDir: string, file: string, fromEnv: string | undefined, make: () => string): string {
  if (fromEnv) return fromEnv;
  const filePath = path.join(dataDir, file);
  if (fs.existsSync(filePath)) return fs.readFileSync(filePath, "utf8").trim();
  const value = make();
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(filePath, `${value}\n`, { mode: 0o600 });
  return value;
}

/**
 * Every start: the `admin` user with its password and admin token (from the environment or
 * generated). A token that differs from the last start's replaces it: the old one is revoked.
 */
export async function ensureAdmin(ctx: EngineContext): Promise<{ token: string }> {
  const { dataDir, adminPassword, adminToken } = ctx.settings;
  const password = secret(dataDir, "admin-password", adminPassword, () => crypto.randomBytes(12).toString("base64url"));
  const token = secret(dataDir, "admin-token", adminToken, newToken);
  const now = ctx.now();
  let admin = await ctx.store.identity.findUser({ username: "admin" });
  if (!admin) {
    admin = await ctx.store.identity.insertUser({
      username: "admin",
      passwordHash: await hashPassword(password, ctx.settings.passwordHashCost),
      isAdmin: true,
      now,
    });
  } else if (
    adminPassword &&
    !(await verifyPassword(adminPassword, admin.password_hash, ctx.settings.passwordHashCost))
  ) {
    const passwordHash = await hashPassword(adminPassword, ctx.settings.passwordHashCost);
    await ctx.store.identity.updateUser({ id: admin.id, passwordHash });
  }
  const adminId = admin.id;
  const revoked = await ctx.store.transaction((tx) =>
    tx.identity.replaceAdminToken({ userId: adminId, tokenHash: hashToken(token), now }),
  );
  if (revoked > 0) {
    ctx.log.warn("the admin token changed: the previous one is revoked", { revoked });
    identityChanged(ctx, adminId);
  }
  return { token };
}
