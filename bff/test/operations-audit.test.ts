import { afterEach, describe, expect, it } from "vitest";
import { DATABASES } from "../../engine/test/harness.ts";
import { addUser, Browser, type Stack, startStack } from "./harness.ts";

const ONE_STEP = { stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }] };

describe.each(DATABASES)("the operations centre and the audit log through the BFF on $name", (db) => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.destroy();
  });

  async function setup() {
    stack = await startStack({ db, slots: 0 });
    const web = await stack.engine.api.pipeline("acme", "web", ONE_STEP);
    await stack.engine.api.pipeline("rival", "web", ONE_STEP);
    await addUser(stack, "dev", { acme: "developer" });
    await addUser(stack, "lead", { acme: "maintainer" });
    await addUser(stack, "outsider", { rival: "developer" });
    const signedIn = async (username: string) => {
      const browser = new Browser(stack.bff.url);
      expect((await browser.signIn(username)).status).toBe(200);
      return browser;
    };
    return { web, signedIn };
  }

  it("lists a project's operations with filters and a cursor, and streams each one as it starts", async () => {
    const { web, signedIn } = await setup();
    const dev = await signedIn("dev");
    for (let i = 0; i < 3; i++) {
      const build = await stack.engine.api.trigger(web);
      expect((await dev.request("POST", `/api/builds/${build.id}/cancel`, {})).status).toBe(202);
    }
    await stack.engine.api.post(`/v1/builds/${(await stack.engine.api.trigger(web)).id}/cancel`, {});

    const first = await dev.request("GET", "/api/projects/acme/operations?limit=2");
    expect(first.status).toBe(200);
    expect(first.body.items.map((op: any) => [op.requestedBy, op.source])).toEqual([
      ["admin", "api"],
      ["dev", "user"],
    ]);
    const second = await dev.request("GET", `/api/projects/acme/operations?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((op: any) => op.requestedBy)).toEqual(["dev", "dev"]);
    expect(second.body.nextCursor).toBeNull();
    const mine = await dev.request("GET", "/api/projects/acme/operations?source=user&requestedBy=dev");
    expect(mine.body.items).toHaveLength(3);
    const bad = await dev.request("GET", "/api/projects/acme/operations?status=paused");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_input");

    let started = "";
    const stream = await dev.stream("/api/stream?topics=operations:acme", {
      onOpen: async () => {
        const build = await stack.engine.api.trigger(web);
        started = (await dev.request("POST", `/api/builds/${build.id}/cancel`, { reason: "bad push" })).body.operation
          .id;
      },
      until: (messages) => messages.some((m) => m.data.operation.id === started),
    });
    const message = stream.messages.find((m) => m.data.operation.id === started);
    expect(message?.event).toBe("operation");
    expect(message?.data.operation).toMatchObject({
      requestedBy: "dev",
      reason: "bad push",
      total: 1,
      selection: null,
    });

    const outsider = await signedIn("outsider");
    expect((await outsider.request("GET", "/api/projects/acme/operations")).status).toBe(404);
    const refused = await outsider.stream("/api/stream?topics=operations:acme");
    expect(refused.messages.map((m) => [m.event, m.data.error.code])).toEqual([["refused", "project_not_found"]]);
  });

  it("the audit log and its CSV are for maintainers: filtered, quoted, and a developer is refused", async () => {
    const { web, signedIn } = await setup();
    const dev = await signedIn("dev");
    const one = await stack.engine.api.trigger(web);
    const reason = '=HYPERLINK("x"), "quoted", and a comma';
    expect((await dev.request("POST", `/api/builds/${one.id}/cancel`, { reason })).status).toBe(202);
    for (let i = 0; i < 2; i++) await stack.engine.api.trigger(web);
    const batch = await stack.engine.api.post(`${web}/builds/batch-cancel`, { filter: { status: ["QUEUED"] } });
    expect(batch.body.total).toBe(2);

    for (const path of ["/api/projects/acme/audit", "/api/projects/acme/audit.csv"]) {
      const refused = await dev.request("GET", path);
      expect(refused.status, path).toBe(403);
      expect(refused.body.error.code, path).toBe("forbidden");
    }

    const lead = await signedIn("lead");
    const all = await lead.request("GET", "/api/projects/acme/audit");
    expect(all.status).toBe(200);
    expect(all.body.items.map((e: any) => [e.actor, e.targets])).toEqual([
      ["admin", 2],
      ["dev", 1],
    ]);
    const byDev = await lead.request("GET", "/api/projects/acme/audit?actor=dev&action=cancel");
    expect(byDev.body.items).toHaveLength(1);
    expect(byDev.body.items[0]).toMatchObject({ reason, build: { id: one.id, number: one.number } });

    const csv = await lead.request("GET", "/api/projects/acme/audit.csv?actor=dev");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toBe('attachment; filename="acme-audit.csv"');
    const lines = (csv.body as string)
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toBe(
      "time,actor,action,forced,source,project,pipeline,build,builds,canceled,already_finished,protected,created,skipped,failed,pending,status,reason,operation",
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,dev,cancel,no,user,acme,web,${one.number},1,1,0,0,0,0,0,0,completed,`);
    // Quoted (it holds quotes and a comma), and kept from running as a spreadsheet formula.
    expect(lines[1]).toContain(`"'=HYPERLINK(""x""), ""quoted"", and a comma"`);
    const everything = await lead.request("GET", "/api/projects/acme/audit.csv");
    expect((everything.body as string).trimEnd().split("\r\n")).toHaveLength(3);
  });
});
