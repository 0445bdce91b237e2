/**
 * Dialect helpers for batched statements: a list of ids or a list of rows travels as ONE bound
 * parameter (a JSON text on SQLite, an array or JSON on PostgreSQL), so a statement's count
 * never grows with the number of builds it touches.
 */
import { type RawBuilder, sql } from "kysely";
import type { Dialect } from "./schema.ts";

export type ColumnType = "bigint" | "integer" | "text" | "real";

export function idsIn(dialect: Dialect, column: string, ids: readonly number[]): RawBuilder<boolean> {
  if (dialect === "postgres") return sql<boolean>`${sql.ref(column)} = ANY(${ids as number[]}::bigint[])`;
  return sql<boolean>`${sql.ref(column)} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
}

/**
 * `FROM builds b` restricted to the given ids, as a join from the id list: on SQLite this walks
 * the list and looks rows up by rowid, which is several times faster than `IN (SELECT ...)`.
 */
export function buildsWithIds(dialect: Dialect, ids: readonly number[]): RawBuilder<unknown> {
  if (dialect === "postgres") return sql`builds b WHERE b.id = ANY(${ids as number[]}::bigint[])`;
  return sql`json_each(${JSON.stringify(ids)}) AS ids JOIN builds b ON b.id = ids.value WHERE 1 = 1`;
}

export function textsIn(dialect: Dialect, column: string, values: readonly string[]): RawBuilder<boolean> {
  if (dialect === "postgres") return sql<boolean>`${sql.ref(column)} = ANY(${values as string[]}::text[])`;
  return sql<boolean>`${sql.ref(column)} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}

/** A SELECT producing `rows` as a relation with the given columns, for `INSERT ... SELECT`. */
export function rowsFromJson(
  dialect: Dialect,
  rows: readonly object[],
  columns: Readonly<Record<string, ColumnType>>,
): RawBuilder<unknown> {
  const names = Object.keys(columns);
  const json = JSON.stringify(rows);
  if (dialect === "postgres") {
    const defs = names.map((n) => `"${n}" ${columns[n] === "real" ? "double precision" : columns[n]}`).join(", ");
    return sql`SELECT ${sql.raw(names.map((n) => `"${n}"`).join(", "))} FROM json_to_recordset(${json}::json) AS x(${sql.raw(defs)})`;
  }
  const picks = names.map((n) => `value->>'$.${n}' AS "${n}"`).join(", ");
  // `WHERE true` keeps SQLite from reading a following ON CONFLICT as a join constraint.
  return sql`SELECT ${sql.raw(picks)} FROM json_each(${json}) WHERE true`;
}
