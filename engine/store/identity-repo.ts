/** Users, their API tokens (stored hashed) and project memberships. */
import type { Dialect, Executor } from "./schema.ts";

export type UserRow = {
  id: number;
  username: string;
  password_hash: string | null;
  is_admin: number;
  created_at: number;
};

/**
 * `session`: a person's sign-in (expires); `api`: made by a user for scripts; `admin`: the
 * instance's admin token from SLUICE_ADMIN_TOKEN; `agent`: opens the agent channel and nothing else.
 */
export type TokenKind = "session" | "api" | "admin" | "agent";

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
    kind?: TokenKind;
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
      .select(["t.id as token_id", "t.kind", "t.expires_at", "u.id", "u.username", "u.is_admin"])
      .where("t.token_hash", "=", opts.tokenHash)
      .where("t.revoked_at", "is", null)
      .where((eb) => eb.or([eb("t.expires_at", "is", null), eb("t.expires_at", ">", opts.now)]))
      .executeTakeFirst();
  }

  /** Tokens of one kind, of one user or (without `userId`) of everyone, with who made them. */
  async listTokens(opts: { userId?: number; kind: TokenKind }) {
    let q = this.db
      .selectFrom("api_tokens as t")
      .innerJoin("users as u", "u.id", "t.user_id")
      .select(["t.id", "t.name", "t.created_at", "t.last_used_at", "t.revoked_at", "t.expires_at", "u.username"])
      .where("t.kind", "=", opts.kind);
    if (opts.userId !== undefined) q = q.where("t.user_id", "=", opts.userId);
    return q.orderBy("t.id").execute();
  }

  /** Revokes a live token of this kind (and of this user, when given); the user it belonged to, if any. */
  async revokeToken(opts: {
    tokenId: number;
    now: number;
    kind: TokenKind;
    userId?: number;
  }): Promise<{ userId: number } | undefined> {
    let q = this.db
      .updateTable("api_tokens")
      .set({ revoked_at: opts.now })
      .where("id", "=", opts.tokenId)
      .where("kind", "=", opts.kind)
      .where("revoked_at", "is", null);
    if (opts.userId !== undefined) q = q.where("user_id", "=", opts.userId);
    const row = await q.returning("user_id").executeTakeFirst();
    return row ? { userId: row.user_id } : undefined;
  }

  /**
   * Makes `tokenHash` the user's one live admin token: any other is revoked (a changed
   * SLUICE_ADMIN_TOKEN), and this one is live again if it had been. Returns how many were revoked.
   */
  async replaceAdminToken(opts: { userId: number; tokenHash: string; now: number }): Promise<number> {
    const revoked = await this.db
      .updateTable("api_tokens")
      .set({ revoked_at: opts.now })
      .where("user_id", "=", opts.userId)
      .where("kind", "=", "admin")
      .where("token_hash", "<>", opts.tokenHash)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    await this.db
      .insertInto("api_tokens")
      .values({
        user_id: opts.userId,
        name: "admin-token",
        kind: "admin",
        token_hash: opts.tokenHash,
        created_at: opts.now,
      })
      .onConflict((oc) =>
        oc
          .column("token_hash")
          .doUpdateSet({ revoked_at: null })
          .where("api_tokens.kind", "=", "admin")
          .where("api_tokens.user_id", "=", opts.userId),
      )
      .execute();
    return Number(revoked.numUpdatedRows);
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
