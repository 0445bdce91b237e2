/**
 * Pages of a log read newest first by id (webhook deliveries, inbound hook deliveries): the
 * cursor is the id of the last item of the previous page, and one row more than the page is read
 * to know whether there is a next one.
 */
import { InputError } from "../../common/errors.ts";

/** The id a `nextCursor` stands for; 400 `invalid_cursor` for anything else. */
export function cursorId(cursor: string): number {
  const id = Number(cursor);
  if (!/^\d{1,16}$/.test(cursor) || !Number.isSafeInteger(id)) {
    throw new InputError("cursor must come from nextCursor", undefined, "invalid_cursor");
  }
  return id;
}

/** The first `limit` of `rows` (read with `limit + 1`), as items, and the cursor to the next page if there is one. */
export function pageOf<R extends { id: number }, T>(
  rows: readonly R[],
  limit: number,
  toItem: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(toItem), nextCursor: rows.length > limit && last ? String(last.id) : null };
}
