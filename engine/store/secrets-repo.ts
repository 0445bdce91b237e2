/** Secrets the engine replicas share, made once by whichever gets there first. */
import type { Dialect, Executor } from "./schema.ts";

export class SecretsRepo {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  /** The secret called `name`; `make` creates it when no replica has yet. */
  async getOrCreate(opts: { name: string; make: () => string; now: number }): Promise<string> {
    await this.db
      .insertInto("engine_secrets")
      .values({ name: opts.name, value: opts.make(), created_at: opts.now })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
    const row = await this.db
      .selectFrom("engine_secrets")
      .select("value")
      .where("name", "=", opts.name)
      .executeTakeFirstOrThrow();
    return row.value;
  }
}
