/** Vitest's global setup for the server suites: the `sluice` command built once for the run (see cli-build.ts). */
import { buildCli } from "./cli-build.ts";

export default async function setup(): Promise<void> {
  await buildCli();
}
