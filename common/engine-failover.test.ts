import { describe, expect, it } from "vitest";
import { failoverFetch } from "./engine-failover.ts";

/** A fetch whose engines answer or fail as `behaviour` says, recording where each request went. */
function engines(behaviour: Record<string, "ok" | "refused" | "reset">) {
  const calls: string[] = [];
  const fake = (async (input: string | URL | Request) => {
    const url = String(input);
    calls.push(url);
    const origin = new URL(url).origin;
    const b = behaviour[origin];
    if (b === "ok") return new Response("{}", { status: 200 });
    throw Object.assign(new TypeError("fetch failed"), {
      cause: { code: b === "refused" ? "ECONNREFUSED" : "ECONNRESET" },
    });
  }) as typeof fetch;
  return { fake, calls };
}

describe("failoverFetch", () => {
  it("moves to the next engine when one refuses, and stays there", async () => {
    const { fake, calls } = engines({ "http://a:1": "refused", "http://b:2": "ok" });
    const f = failoverFetch(["http://a:1", "http://b:2"], fake);
    expect((await f("http://a:1/v1/builds/1", { method: "POST", body: "{}" })).status).toBe(200);
    expect((await f("http://a:1/v1/builds/2")).status).toBe(200);
    expect(calls).toEqual(["http://a:1/v1/builds/1", "http://b:2/v1/builds/1", "http://b:2/v1/builds/2"]);
  });

  it("a write whose connection broke is not sent again (it may have arrived); a read is", async () => {
    const { fake, calls } = engines({ "http://a:1": "reset", "http://b:2": "ok" });
    const f = failoverFetch(["http://a:1", "http://b:2"], fake);
    await expect(f("http://a:1/v1/x", { method: "POST", body: "{}" })).rejects.toThrow("fetch failed");
    expect(calls).toEqual(["http://a:1/v1/x"]);
    expect((await f("http://a:1/v1/y")).status).toBe(200);
    expect(calls.slice(1)).toEqual(["http://a:1/v1/y", "http://b:2/v1/y"]);
  });

  it("fails when no engine can be reached", async () => {
    const { fake } = engines({ "http://a:1": "refused", "http://b:2": "refused" });
    await expect(failoverFetch(["http://a:1", "http://b:2"], fake)("http://a:1/v1/z")).rejects.toThrow("fetch failed");
  });
});
