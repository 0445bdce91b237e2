import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../common/config.ts";
import { DATABASES, startTestEngine, type TestEngine } from "../../engine/test/harness.ts";
import { seedBuilds } from "../../engine/test/seed.ts";
import { SimAgent } from "../../engine/test/sim-agent.ts";
import { runCancel } from "../cancel-command.ts";

function capture() {
  let text = "";
  const out = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { out, text: () => text };
}

describe.each(DATABASES)("sluice cancel on $name", (db) => {
  let t: TestEngine;
  const agents: SimAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await t?.destroy();
  });

  const config = () =>
    loadConfig({ SLUICE_ENGINE_URL: t.engine.url, SLUICE_TOKEN: t.engine.adminToken, SLUICE_DATA_DIR: t.dataDir });

  it("--all-running --wait shows progress, prints the final counts and exits 0", async () => {
    t = await startTestEngine({ db, slots: 0 });
    agents.push(await new SimAgent(t.engine.channel, "cli", { slots: 0 }).start());
    const p = await t.api.pipeline("acme", "web", {
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "x" }] }] }],
    });
    await seedBuilds(t, p, 30, {
      status: (i) => (i < 20 ? "RUNNING" : i < 25 ? "QUEUED" : "SUCCEEDED"),
      agents: ["cli"],
    });
    const { out, text } = capture();
    const code = await runCancel(
      config(),
      ["--project", "acme", "--pipeline", "web", "--all-running", "--reason", "bad push", "--wait"],
      out,
    );
    expect(code).toBe(0);
    expect(text()).toMatch(
      /^25 builds to cancel: 20 running, 5 queued \(web up to #25\)\nOperation [0-9a-f-]+: canceling 25 builds\n/,
    );
    expect(text()).toMatch(/\d+\/25 settled/);
    expect(text().trim().split("\n").at(-1)).toBe("25 canceled · 0 already finished · 0 failed");
    expect((await t.api.get(`${p}/builds/counts`)).body).toMatchObject({
      RUNNING: 0,
      QUEUED: 0,
      CANCELED: 25,
      SUCCEEDED: 5,
    });
  });

  it("--ids with a failed item exits non-zero", async () => {
    t = await startTestEngine({ db, slots: 0 });
    agents.push(await new SimAgent(t.engine.channel, "broken", { slots: 0, stopMode: "fail" }).start());
    const p = await t.api.pipeline("acme", "web", {
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "x" }] }] }],
    });
    const ids = await seedBuilds(t, p, 2, { status: () => "RUNNING", agents: ["broken"] });
    const { out, text } = capture();
    const code = await runCancel(
      config(),
      ["--project", "acme", "--pipeline", "web", "--ids", ids.join(","), "--wait"],
      out,
    );
    expect(code).toBe(1);
    expect(text().trim().split("\n").at(-1)).toBe("0 canceled · 0 already finished · 2 failed");
  });

  it("--builds takes the numbers people see; --dry-run prints the preview and changes nothing; without --pipeline a branch is canceled across the project", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const one = { stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "x" }] }] }] };
    const web = await t.api.pipeline("acme", "web", one);
    const api = await t.api.pipeline("acme", "api", one);
    const builds: any[] = [];
    for (let i = 0; i < 3; i++) builds.push(await t.api.trigger(web, { branch: "main" }));
    for (let i = 0; i < 2; i++) builds.push(await t.api.trigger(api, { branch: "main" }));
    const other = await t.api.trigger(api, { branch: "dev" });

    const dry = capture();
    expect(await runCancel(config(), ["--project", "acme", "--branch", "main", "--dry-run"], dry.out)).toBe(0);
    expect(dry.text()).toBe("5 builds to cancel: 0 running, 5 queued (web up to #3, api up to #2)\n");
    expect((await t.api.build(builds[0].id)).status).toBe("QUEUED");

    const numbers = capture();
    expect(await runCancel(config(), ["--project", "acme", "--pipeline", "web", "--builds", "#1,2"], numbers.out)).toBe(
      0,
    );
    expect((await t.api.build(builds[0].id)).status).toBe("CANCELED");
    expect((await t.api.build(builds[1].id)).status).toBe("CANCELED");
    expect((await t.api.build(builds[2].id)).status).toBe("QUEUED");

    const project = capture();
    expect(await runCancel(config(), ["--project", "acme", "--branch", "main"], project.out)).toBe(0);
    expect(project.text()).toContain("canceling 3 builds");
    for (const b of builds) expect((await t.api.build(b.id)).status).toBe("CANCELED");
    expect((await t.api.build(other.id)).status).toBe("QUEUED");
  });

  it("a bad request is an error with the engine's message", async () => {
    t = await startTestEngine({ db, slots: 0 });
    await t.api.pipeline("acme", "web", { stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "x" }] }] }] });
    const { out } = capture();
    await expect(
      runCancel(config(), ["--project", "acme", "--pipeline", "web", "--ids", "424242"], out),
    ).rejects.toThrow(/do not exist in this pipeline: 424242/);
    await expect(runCancel(config(), ["--project", "acme", "--pipeline", "web"], out)).rejects.toThrow(
      /exactly one of/,
    );
    await expect(runCancel(config(), ["--project", "acme", "--pipeline", "web", "--builds", "7"], out)).rejects.toThrow(
      /do not exist in this pipeline: #7/,
    );
  });
});
