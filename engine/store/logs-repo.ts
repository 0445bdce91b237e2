/** Build logs, stored as ordered chunks. */
import type { Dialect, Executor } from "./schema.ts";
import { rowsFromJson } from "./sql.ts";

export type NewLogChunk = { build_id: number; job_id: number; stream: string; text: string; created_at: number };

export class LogsRepo {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  async append(opts: { chunks: readonly NewLogChunk[] }): Promise<void> {
    if (opts.chunks.length === 0) return;
    await this.db
      .insertInto("log_chunks")
      .columns(["build_id", "job_id", "stream", "text", "created_at"])
      .expression(
        rowsFromJson(this.dialect, opts.chunks, {
          build_id: "bigint",
          job_id: "bigint",
          stream: "text",
          text: "text",
          created_at: "bigint",
        }),
      )
      .execute();
  }

  async read(opts: { buildId: number; jobId?: number; afterId?: number; limit: number }) {
    let q = this.db
      .selectFrom("log_chunks")
      .select(["id", "job_id", "stream", "text", "created_at"])
      .where("build_id", "=", opts.buildId);
    if (opts.jobId !== undefined) q = q.where("job_id", "=", opts.jobId);
    if (opts.afterId !== undefined) q = q.where("id", ">", opts.afterId);
    return q.orderBy("id").limit(opts.limit).execute();
  }
}
