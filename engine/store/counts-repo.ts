/**
 * Builds per pipeline and status, kept as running totals so a history page does not count a
 * pipeline's whole history. Every build write records its change here; the changes of a
 * transaction are added in one statement just before it commits (the rows are shared by every
 * transaction touching the pipeline, so their locks are held briefly, and taken in one order).
 */
import { sql } from "kysely";
import type { BuildStatus } from "../../common/statuses.ts";
import type { Dialect, Executor } from "./schema.ts";
import { rowsFromJson } from "./sql.ts";

export class CountsRepo {
  private readonly deltas = new Map<string, number>();

  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
    /** Registers `flush` to run before the transaction commits (at once outside one). */
    private readonly beforeCommit: ((hook: () => Promise<void>) => void) | null,
  ) {}

  async add(pipelineId: number, status: BuildStatus, delta: number): Promise<void> {
    if (delta === 0) return;
    const key = `${pipelineId}/${status}`;
    if (this.beforeCommit && this.deltas.size === 0) this.beforeCommit(() => this.flush());
    this.deltas.set(key, (this.deltas.get(key) ?? 0) + delta);
    if (!this.beforeCommit) await this.flush();
  }

  private async flush(): Promise<void> {
    const rows = [...this.deltas]
      .filter(([, delta]) => delta !== 0)
      .map(([key, delta]) => {
        const [pipeline, status] = key.split("/") as [string, BuildStatus];
        return { pipeline_id: Number(pipeline), status, count: delta };
      })
      .sort((a, b) => a.pipeline_id - b.pipeline_id || a.status.localeCompare(b.status));
    this.deltas.clear();
    if (rows.length === 0) return;
    await this.db
      .insertInto("build_counts")
      .columns(["pipeline_id", "status", "count"])
      .expression(rowsFromJson(this.dialect, rows, { pipeline_id: "bigint", status: "text", count: "bigint" }))
      .onConflict((oc) =>
        oc.columns(["pipeline_id", "status"]).doUpdateSet({ count: sql`build_counts.count + excluded.count` }),
      )
      .execute();
  }

  async read(opts: { pipelineIds: readonly number[]; statuses?: readonly BuildStatus[] }) {
    if (opts.pipelineIds.length === 0) return [];
    let q = this.db
      .selectFrom("build_counts")
      .select(["pipeline_id", "status", "count"])
      .where("pipeline_id", "in", opts.pipelineIds);
    if (opts.statuses) q = q.where("status", "in", opts.statuses);
    const rows = await q.execute();
    return rows.map((r) => ({ pipelineId: r.pipeline_id, status: r.status as BuildStatus, count: Number(r.count) }));
  }
}
