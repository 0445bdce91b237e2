/** Users, their API tokens (stored hashed) and project memberships. */
import type { Dialect } from "./db.ts";
import type { Executor } from "./store.ts";

export type UserRow = {
  id: number;
  username: string;
  password_hash: string | null;
  is_admin: number;
  created_at: number;
};

export class IdentityRepo {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  async findUser(opts: { username: string }): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("username", "=", opts.username).executeTakeFirst();
  }

  async findUserById(opts: { id: number }): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("id", "=", opts.id).executeTakeFirst();
  }

  async listUsers(): Promise<UserRow[]> {
    return this.db.selectFrom("users").selectAll().orderBy("username").execute();
  }

  async insertUser(opts: {
    username: string;
    passwordHash: string | null;
    isAdmin: boolean;
    now: number;
  }): Promise<UserRow> {
    return this.db
      .insertInto("users")
      .values({
        username: opts.username,
        password_hash: opts.passwordHash,
        is_admin: opts.isAdmin ? 1 : 0,
        created_at: opts.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async updateUser(opts: { id: number; passwordHash?: string; isAdmin?: boolean }): Promise<void> {
    const set: { password_hash?: string; is_admin?: number } = {};
    if (opts.passwordHash !== undefined) set.password_hash = opts.passwordHash;
    if (opts.isAdmin !== undefined) set.is_admin = opts.isAdmin ? 1 : 0;
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable("users").set(set).where("id", "=", opts.id).execute();
  }

  async insertToken(opts: {
    userId: number;
    name: string;
    tokenHash: string;
    now: number;
    kind?: "api" | "session";
    expiresAt?: number | null;
  }) {
    return this.db
      .insertInto("api_tokens")
      .values({
        user_id: opts.userId,
        name: opts.name,
        token_hash: opts.tokenHash,
        created_at: opts.now,
        kind: opts.kind ?? "api",
        expires_at: opts.expiresAt ?? null,
      })
      .onConflict((oc) => oc.column("token_hash").doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  /** The live (not revoked, not expired) token with this hash, and its user. */
  async findByTokenHash(opts: { tokenHash: string; now: number }) {
    return this.db
      .selectFrom("api_tokens as t")
      .innerJoin("users as u", "u.id", "t.user_id")
      .select(["t.id as token_id", "t.kind", "u.id", "u.username", "u.is_admin"])
      .where("t.token_hash", "=", opts.tokenHash)
      .where("t.revoked_at", "is", null)
      .where((eb) => eb.or([eb("t.expires_at", "is", null), eb("t.expires_at", ">", opts.now)]))
      .executeTakeFirst();
  }

  async listTokens(opts: { userId: number; kind: "api" | "session" }) {
    return this.db
      .selectFrom("api_tokens")
      .select(["id", "name", "created_at", "last_used_at", "revoked_at", "expires_at"])
      .where("user_id", "=", opts.userId)
      .where("kind", "=", opts.kind)
      .orderBy("id")
      .execute();
  }

  async revokeToken(opts: { userId: number; tokenId: number; now: number }): Promise<boolean> {
    const r = await this.db
      .updateTable("api_tokens")
      .set({ revoked_at: opts.now })
      .where("id", "=", opts.tokenId)
      .where("user_id", "=", opts.userId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async setMembership(opts: { projectId: number; userId: number; role: string }): Promise<void> {
    await this.db
      .insertInto("memberships")
      .values({ project_id: opts.projectId, user_id: opts.userId, role: opts.role })
      .onConflict((oc) => oc.columns(["project_id", "user_id"]).doUpdateSet({ role: opts.role }))
      .execute();
  }

  async removeMembership(opts: { projectId: number; userId: number }): Promise<boolean> {
    const r = await this.db
      .deleteFrom("memberships")
      .where("project_id", "=", opts.projectId)
      .where("user_id", "=", opts.userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async membershipsOfUser(opts: { userId: number }) {
    return this.db
      .selectFrom("memberships")
      .select(["project_id", "role"])
      .where("user_id", "=", opts.userId)
      .execute();
  }

  async membersOfProject(opts: { projectId: number }) {
    return this.db
      .selectFrom("memberships as m")
      .innerJoin("users as u", "u.id", "m.user_id")
      .select(["u.username", "m.role"])
      .where("m.project_id", "=", opts.projectId)
      .orderBy("u.username")
      .execute();
  }
}
