/** `npm run bench -- <name> [options]`: runs one benchmark and writes its results under bench/results/. */
const BENCHMARKS: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  history: async () => (await import("./history.ts")).benchHistory,
  "bulk-cancel": async () => (await import("./bulk-cancel.ts")).benchBulkCancel,
  "bff-history": async () => (await import("./bff-history.ts")).benchBffHistory,
  ui: async () => (await import("./ui.ts")).benchUi,
  "real-settle": async () => (await import("./real-settle.ts")).benchRealSettle,
  fleet: async () => (await import("./fleet.ts")).benchFleet,
  "push-storm": async () => (await import("./push-storm.ts")).benchPushStorm,
  failover: async () => (await import("./failover.ts")).benchFailover,
  partition: async () => (await import("./partition.ts")).benchPartition,
  soak: async () => (await import("./soak.ts")).benchSoak,
};

export async function runBench(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name ? BENCHMARKS[name] : undefined;
  if (!load) {
    process.stderr.write(`Usage: npm run bench -- <${Object.keys(BENCHMARKS).join("|")}> [options]\n`);
    return 2;
  }
  return (await load())(rest);
}

if (import.meta.main ?? process.argv[1]?.endsWith("bench/main.ts")) {
  runBench(process.argv.slice(2)).then((code) => process.exit(code));
}
