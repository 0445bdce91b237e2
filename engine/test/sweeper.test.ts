/**
 * The sweeper at an engine's stop: a sweep under way is waited for (at most a few seconds), so
 * it does not run its next statement on a database the engine has closed ("driver has already
 * been destroyed" in a benchmark's log).
 */
import { afterEach, describe, expect, it } from "vitest";
import { Sweeper } from "../scheduler/sweeper.ts";
import { DATABASES, startTestEngine, type TestEngine } from "./harness.ts";

describe.each(DATABASES)("the sweeper on $name", (db) => {
  let t: TestEngine | undefined;
  afterEach(async () => {
    await t?.destroy();
    t = undefined;
  });

  it("its stop waits for the sweep under way", async () => {
    t = await startTestEngine({ db, slots: 0 });
    // A sweeper of the test's own, on the engine's database, whose count of stuck builds waits.
    let reached = () => {};
    const sweeping = new Promise<void>((resolve) => (reached = resolve));
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const operations = t.engine.ctx.store.operations;
    const gated = Object.create(operations, {
      moreStuck: {
        value: async (opts: Parameters<typeof operations.moreStuck>[0]) => {
          reached();
          await held;
          return operations.moreStuck(opts);
        },
      },
    });
    const store = Object.create(t.engine.ctx.store, { operations: { value: gated } });
    const sweeper = new Sweeper({ ...t.engine.ctx, store }, 5);
    sweeper.start();
    await sweeping;
    let stopped = false;
    const stopping = sweeper.stop().then(() => {
      stopped = true;
    });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
  });
});
