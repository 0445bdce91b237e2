/**
 * The `sluice` command built once into plain JavaScript for the test suites (`.cli-build/`), so
 * the hundreds of `sluice` processes the tests start (client commands, engines, agents, BFFs) load
 * compiled code instead of compiling TypeScript through tsx's loader at every start: about 0.4 s of
 * CPU per process instead of 2. Dependencies stay external (node_modules); the processes' code is
 * split where it loads lazily, so a client command still loads no engine. A few tests keep
 * starting `cli/bin.mjs` itself, the way people run it from a checkout.
 */
import path from "node:path";
import { build } from "esbuild";

export const ROOT = path.resolve(import.meta.dirname, "..");
/** One level under the root, as `cli/` is: what finds the repository from its own place finds it from here too. */
export const CLI_BUILD_DIR = path.join(ROOT, ".cli-build");
export const CLI_BUILD = path.join(CLI_BUILD_DIR, "main.js");

export async function buildCli(): Promise<string> {
  await build({
    entryPoints: [path.join(ROOT, "cli", "main.ts")],
    outdir: CLI_BUILD_DIR,
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    logLevel: "warning",
  });
  return CLI_BUILD;
}
