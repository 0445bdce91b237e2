/**
 * The first start tells a newcomer what to do: the page's address, whom to sign in as and where
 * each password is — never the passwords or tokens themselves.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../e2e/support/free-port.ts";
import { waitFor } from "../../engine/test/harness.ts";
import { browserUrl, welcomeMessage } from "../welcome.ts";
import { runCleanups, tempDataDir } from "./stack.ts";

const MAIN = path.resolve(import.meta.dirname, "../main.ts");

describe("the welcome message", () => {
  it("names the password files relative to where npm start ran, or the variables that were set", () => {
    const base = {
      pageUrl: "http://127.0.0.1:8080",
      engineUrl: "http://127.0.0.1:8081",
      dataDir: "/srv/sluice/data",
      demoUsers: [{ username: "dev", role: "developer", passwordFile: "dev-password" }],
      cwd: "/srv/sluice",
    };
    const fromFiles = welcomeMessage({ ...base, adminPasswordFromEnv: false, adminTokenFromEnv: false });
    expect(fromFiles).toContain("Open http://localhost:8080 and sign in as admin (password in data/admin-password).");
    expect(fromFiles).toContain("dev  developer, password in data/dev-password");
    expect(fromFiles).toContain("(admin token in data/admin-token)");

    const fromEnv = welcomeMessage({ ...base, cwd: "/elsewhere", adminPasswordFromEnv: true, adminTokenFromEnv: true });
    expect(fromEnv).toContain("sign in as admin (the password you set in SLUICE_ADMIN_PASSWORD)");
    expect(fromEnv).toContain("(admin token in SLUICE_ADMIN_TOKEN)");
    expect(fromEnv).toContain("password in /srv/sluice/data/dev-password");

    expect(
      welcomeMessage({ ...base, demoUsers: [], adminPasswordFromEnv: false, adminTokenFromEnv: false }),
    ).not.toMatch(/Demo users/);
    expect(browserUrl("http://0.0.0.0:9000")).toBe("http://localhost:9000");
    expect(browserUrl("http://ci.example.com:8080")).toBe("http://ci.example.com:8080");
  });
});

describe("npm start on an empty data dir", () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(() => runCleanups(cleanups));

  it("ends its start-up output with the page, the users and where their passwords are, and no secret", async () => {
    const cwd = tempDataDir("welcome", cleanups);
    const [port, enginePort] = [await freePort(), await freePort()];
    // As `npm start` in a fresh checkout: the data dir is the default ./data under where it runs.
    const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), MAIN, "start"], {
      cwd,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        PORT: String(port),
        SLUICE_ENGINE_PORT: String(enginePort),
        SLUICE_AGENT_SLOTS: "0",
        SLUICE_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      output += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      output += d;
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    });

    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`sluice start exited: ${output}`);
        return output.includes("Stop with Ctrl-C.");
      },
      { what: "the welcome message", timeoutMs: 170_000 },
    );
    expect(output).toContain(`Open http://localhost:${port} and sign in as admin (password in data/admin-password).`);
    expect(output).toMatch(/dev\s+developer, password in data\/dev-password/);
    expect(output).toMatch(/viewer\s+viewer, password in data\/viewer-password/);
    expect(output).toContain(`Engine API: http://127.0.0.1:${enginePort} (admin token in data/admin-token)`);
    expect(output.trimEnd().endsWith("Stop with Ctrl-C.")).toBe(true);

    const data = path.join(cwd, "data");
    for (const file of ["admin-password", "admin-token", "dev-password", "viewer-password"]) {
      const secret = fs.readFileSync(path.join(data, file), "utf8").trim();
      expect(secret.length).toBeGreaterThan(8);
      expect(output).not.toContain(secret);
    }
  }, 180_000);
});
