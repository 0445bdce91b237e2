import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";

describe("logs", () => {
  it("are JSON lines with the component and the level, and an error keeps its type, message and stack", () => {
    const lines: string[] = [];
    const log = createLogger("info", "engine", { write: (line: string) => void lines.push(line) });
    log.debug("not at info");
    log.warn("sweep failed", { err: new TypeError("boom"), tries: 2 });
    log.child({ requestId: "r-1" }).info("hello");
    const [warn, info] = lines.map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(warn).toMatchObject({ level: "warn", component: "engine", msg: "sweep failed", tries: 2 });
    expect(warn.err).toMatchObject({ type: "TypeError", message: "boom" });
    expect(warn.err.stack).toContain("logger.test.ts");
    expect(info).toMatchObject({ level: "info", requestId: "r-1", msg: "hello" });
  });
});
