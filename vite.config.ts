/// <reference types="vitest/config" />
/**
 * Vite builds the web page (`web/`) into `web/dist`, which the BFF serves. `npm run dev:web`
 * serves it with hot reload and sends `/api` to a running Sluice (`npm start`, port 8080).
 * Vitest runs two projects: the server suites (Node) and the web component tests (jsdom).
 */
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The page imports what it shares with the servers as `@common/...` (tsconfig.json's `paths` too). */
const alias = { "@common": fileURLToPath(new URL("common", import.meta.url)) };

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
    // One file at a time: with two, PostgreSQL suites that drop connections and stop engines
    // ran into each other's load in CI (a 60 s teardown, a delivery recorded late).
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        test: {
          name: "server",
          root: ".",
          include: ["{common,engine,agent,bff,cli,tools}/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
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
