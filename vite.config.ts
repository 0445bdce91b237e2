/// <reference types="vitest/config" />
/**
 * Vite builds the web page (`web/`) into `web/dist`, which the BFF serves. `npm run dev:web`
 * serves it with hot reload and sends `/api` to a running Sluice (`npm start`, port 8080).
 * Vitest runs two projects: the server suites (Node) and the web component tests (jsdom).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The page imports what it shares with the servers as `@common/...` (tsconfig.json's `paths` too). */
const alias = { "@common": fileURLToPath(new URL("common", import.meta.url)) };

/**
 * The server suites, split by what they run on: a file that runs on the test databases
 * (`DATABASES`) is run by two projects, once on SQLite and once on PostgreSQL (when
 * SLUICE_TEST_DATABASE_URL is set), so its two halves run side by side in two workers.
 */
const SERVER_DIRS = ["common", "engine", "agent", "bff", "cli", "tools"];
/** The repository's root, wherever the config is loaded from (`sluice start` builds the page from any directory). */
const ROOT = fileURLToPath(new URL(".", import.meta.url));
function serverTestFiles(): { onDatabases: string[]; others: string[] } {
  const files = SERVER_DIRS.flatMap((dir) =>
    (fs.readdirSync(path.join(ROOT, dir), { recursive: true }) as string[])
      .filter((f) => f.endsWith(".test.ts") && !f.includes("node_modules"))
      .map((f) => path.join(dir, f)),
  );
  const onDatabases = files.filter((f) => /\bDATABASES\b/.test(fs.readFileSync(path.join(ROOT, f), "utf8")));
  return { onDatabases, others: files.filter((f) => !onDatabases.includes(f)) };
}
const server = serverTestFiles();
const serverProject = (name: string, include: string[], env: Record<string, string> = {}) => ({
  test: {
    name,
    root: ".",
    // The server suites share no module state (each starts its own engines), so a worker
    // evaluates the engine's modules once instead of once per file.
    isolate: false,
    include,
    environment: "node" as const,
    env,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

export default defineConfig({
  // Absolute, so `sluice start` builds the page from any working directory.
  root: fileURLToPath(new URL("web", import.meta.url)),
  plugins: [react()],
  resolve: { alias },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    port: 5173,
    proxy: { "/api": { target: "http://127.0.0.1:8080", changeOrigin: false } },
  },
  test: {
    root: ".",
    // Three files at a time on two cores: the integration suites spend most of their time waiting
    // on real processes and timers, and each has its own database (file or schema) and ports.
    maxWorkers: 3,
    // Builds the `sluice` command once into JavaScript: the suites start hundreds of its processes.
    globalSetup: ["tools/vitest-global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      serverProject("server", server.others),
      serverProject("sqlite", server.onDatabases, { SLUICE_TEST_ONLY_DATABASE: "sqlite" }),
      // biome-ignore lint/style/noProcessEnv: the test configuration reads which databases to use
      ...(process.env.SLUICE_TEST_DATABASE_URL
        ? [serverProject("postgres", server.onDatabases, { SLUICE_TEST_ONLY_DATABASE: "postgres" })]
        : []),
      {
        plugins: [react()],
        resolve: { alias },
        test: {
          name: "web",
          root: ".",
          include: ["web/**/*.test.{ts,tsx}"],
          environment: "jsdom",
          setupFiles: ["web/src/test/setup.ts"],
          testTimeout: 20_000,
        },
      },
    ],
  },
});
