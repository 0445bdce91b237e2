/**
 * The demo's repository, with real git: clone it, commit, push twice — the post-receive hook tells
 * the engine, the push pipeline checks each commit out, and the first build is canceled as
 * superseded by the second.
 */
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, startTestEngine, type TestEngine, waitFor } from "../../engine/test/harness.ts";
import { ensureDemoRepository } from "../demo-repository.ts";

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Dana Demo",
  GIT_AUTHOR_EMAIL: "dana@example.test",
  GIT_COMMITTER_NAME: "Dana Demo",
  GIT_COMMITTER_EMAIL: "dana@example.test",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  USER: "dana",
};
const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, env: ENV, encoding: "utf8" });
/** `git push`; what the hook printed comes back on stderr as `remote: ...`. */
const push = async (cwd: string) => (await promisify(execFile)("git", ["push"], { cwd, env: ENV })).stderr;

describe.each(DATABASES)("the demo repository on $name", (db) => {
  let t: TestEngine | undefined;
  afterEach(async () => {
    await t?.destroy();
    t = undefined;
  });

  it("push twice from a clone: the first build is canceled, superseded by the second", async () => {
    t = await startTestEngine({ db, slots: 2 });
    await t.api.put("/v1/projects/demo", {});
    const admin = { userId: 1, username: "admin", isAdmin: true };
    const bare = await ensureDemoRepository(t.engine.ctx, admin, t.engine.url);
    // A second start keeps the repository and its secret.
    expect(await ensureDemoRepository(t.engine.ctx, admin, t.engine.url)).toBe(bare);
    const clone = path.join(path.dirname(t.dataDir), "clone");
    git(path.dirname(t.dataDir), "clone", "-q", bare, clone);
    expect(fs.readFileSync(path.join(clone, "README.md"), "utf8")).toContain("Sluice demo");

    fs.appendFileSync(path.join(clone, "README.md"), "first\n");
    git(clone, "commit", "-qam", "first change");
    // Not execFileSync: the hook calls the engine, which runs in this process.
    const pushed = await push(clone);
    expect(pushed).toMatch(/sluice: main [0-9a-f]{7}: 202/);
    const history = "/v1/projects/demo/pipelines/push/builds";
    const first = await waitFor(async () => (await t!.api.get(history)).body.items[0], { what: "the first build" });
    expect(first).toMatchObject({
      number: 1,
      triggeredBy: "dana",
      trigger: { kind: "push", commitAuthor: "Dana Demo" },
    });
    await waitFor(
      async () => ((await t!.api.get(`/v1/builds/${first.id}/log`)).body as string).includes("first change"),
      {
        what: "the first build showing its commit",
      },
    );

    fs.appendFileSync(path.join(clone, "README.md"), "second\n");
    git(clone, "commit", "-qam", "second change");
    await push(clone);
    const canceled = await t.api.waitForStatus(first.id, "CANCELED");
    expect(canceled.cancel.reason).toBe("superseded by #2");
    const op = (await t.api.get(`/v1/operations/${canceled.cancel.operationId}`)).body;
    expect(op.source).toBe("repository");
    const deliveries = (await t.api.get("/v1/projects/demo/repositories/demo/deliveries")).body.items;
    expect(deliveries.map((d: any) => d.status)).toEqual(["processed", "processed"]);
  });
});
