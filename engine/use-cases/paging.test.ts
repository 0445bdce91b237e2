import { describe, expect, it } from "vitest";
import { cursorId, pageOf } from "./paging.ts";

describe("pages of a log read newest first", () => {
  const rows = [{ id: 9 }, { id: 7 }, { id: 4 }];

  it("gives the first `limit` rows and the last one's id as the cursor when a row more was read", () => {
    expect(pageOf(rows, 2, (r) => r.id * 10)).toEqual({ items: [90, 70], nextCursor: "7" });
  });

  it("has no next page when no row more was read, nor for an empty log", () => {
    expect(pageOf(rows, 3, (r) => r.id)).toEqual({ items: [9, 7, 4], nextCursor: null });
    expect(pageOf([], 3, (r: { id: number }) => r.id)).toEqual({ items: [], nextCursor: null });
  });

  it("reads a cursor back as the id, and refuses one it did not write", () => {
    expect(cursorId("7")).toBe(7);
    for (const bad of ["", "-1", "1.5", "x", "12345678901234567"]) {
      expect(() => cursorId(bad)).toThrowError(expect.objectContaining({ code: "invalid_cursor" }));
    }
  });
});
