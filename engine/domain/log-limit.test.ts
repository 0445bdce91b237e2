import { describe, expect, it } from "vitest";
import { applyLogLimit, type IncomingChunk, TRUNCATION_NOTE } from "./log-limit.ts";

const out = (buildId: number, text: string, extra: Partial<IncomingChunk> = {}): IncomingChunk => ({
  buildId,
  jobId: buildId * 10,
  stream: "stdout",
  text,
  ...extra,
});

describe("the per-build log limit", () => {
  it("keeps output under the limit whole", () => {
    const { kept, changes } = applyLogLimit([out(1, "abc"), out(1, "def")], new Map(), 10);
    expect(kept.map((c) => c.text)).toEqual(["abc", "def"]);
    expect(changes).toEqual([{ id: 1, kept: 6, dropped: 0 }]);
  });

  it("cuts the chunk that crosses the limit, notes it once, and counts the rest as dropped", () => {
    const sizes = new Map([[1, { kept: 8, dropped: 0 }]]);
    const { kept, changes } = applyLogLimit([out(1, "abcd"), out(1, "efgh")], sizes, 10);
    expect(kept.map((c) => c.text)).toEqual(["ab", TRUNCATION_NOTE]);
    expect(kept[1]?.stream).toBe("system");
    expect(changes).toEqual([{ id: 1, kept: 2, dropped: 6 }]);
  });

  it("drops everything of a full build, silently, but keeps the agent's own lines", () => {
    const sizes = new Map([[1, { kept: 10, dropped: 5 }]]);
    const { kept, changes } = applyLogLimit(
      [out(1, "more"), out(1, "[sluice] stopped\n", { stream: "system" })],
      sizes,
      10,
    );
    expect(kept.map((c) => c.text)).toEqual(["[sluice] stopped\n"]);
    expect(changes).toEqual([{ id: 1, kept: 0, dropped: 4 }]);
  });

  it("counts what an agent reports it dropped, and keeps builds apart", () => {
    const { changes } = applyLogLimit(
      [out(1, "x".repeat(5)), out(2, "", { stream: "system", dropped: 1000 }), out(2, "y")],
      new Map(),
      4,
    );
    expect(changes).toEqual([
      { id: 1, kept: 4, dropped: 1 },
      { id: 2, kept: 1, dropped: 1000 },
    ]);
  });

  it("never splits a UTF-8 character", () => {
    const { kept } = applyLogLimit([out(1, "aé")], new Map(), 2);
    expect(kept[0]?.text).toBe("a");
  });
});
