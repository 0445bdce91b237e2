/**
 * Migrations on PostgreSQL while other sessions drop their schemas (as parallel test suites and
 * other engines' test schemas do): starting must not fail because a schema it does not use
 * vanished while the migrator looked at the catalogue.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../store/db.ts";
import { DATABASES } from "./harness.ts";

const postgres = DATABASES.find((d) => d.name === "postgres");

describe.runIf(postgres)("migrations on PostgreSQL", () => {
  const dropped: string[] = [];
  afterEach(async () => {
    const client = new pg.Client({ connectionString: postgres?.url });
    await client.connect();
    for (const schema of dropped.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it("start while other sessions create and drop schemas", async () => {
    const url = postgres?.url as string;
    const churn = new pg.Client({ connectionString: url });
    await churn.connect();
    let stop = false;
    // Schemas with tables come and go as fast as the server allows, as other suites' do.
    const churning = (async () => {
      while (!stop) {
        const name = `churn_${crypto.randomBytes(4).toString("hex")}`;
        await churn.query(`CREATE SCHEMA "${name}"; CREATE TABLE "${name}".t (id int, a text, b text, c text)`);
        await churn.query(`DROP SCHEMA "${name}" CASCADE`);
      }
    })();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-migrate-"));
    try {
      for (let i = 0; i < 12; i++) {
        const schema = `t_${crypto.randomBytes(6).toString("hex")}`;
        dropped.push(schema);
        const db = await openDatabase({ dataDir, databaseUrl: url, schema });
        await db.close();
      }
    } finally {
      stop = true;
      await churning;
      await churn.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    expect(dropped).toHaveLength(12);
  });
});
