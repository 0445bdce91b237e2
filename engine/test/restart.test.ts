import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, sleepPipeline, startTestEngine, type TestEngine, waitFor } from "./harness.ts";

describe.each(DATABASES)("restart safety on $name", (db) => {
  let t: TestEngine;
  afterEach(async () => {
    await t?.destroy();
  });

  it("stopping kills the local agent's processes; the next start fails lost builds with agent_lost and schedules queued ones", async () => {
    t = await startTestEngine({ db, slots: 2 });
    const p = await t.api.pipeline("acme", "sleepy", sleepPipeline({ seconds: 300 }));
    const builds: any[] = [];
    for (let i = 0; i < 3; i++) builds.push(await t.api.trigger(p));
    const [a, b, c] = builds;
    await waitFor(async () => (await t.processesOf(a.id)).length > 0 && (await t.processesOf(b.id)).length > 0, {
      what: "two running",
    });
    expect((await t.api.build(c.id)).status).toBe("QUEUED");

    await t.stop();
    expect(await t.processesOf(a.id)).toEqual([]);
    expect(await t.processesOf(b.id)).toEqual([]);

    t = await t.restart({ slots: 2 });
    for (const lost of [a, b]) {
      const build = await t.api.build(lost.id);
      expect(build.status).toBe("FAILED");
      expect(build.statusReason).toBe("agent_lost");
    }
    await waitFor(async () => (await t.api.build(c.id)).status === "RUNNING", { what: "queued build scheduled again" });
    const running = await t.api.get(`${p}/builds?status=RUNNING`);
    expect(running.body.items.map((x: any) => x.id)).toEqual([c.id]);
  });
});
