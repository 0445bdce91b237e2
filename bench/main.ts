/** `npm run bench -- <name> [options]`: runs one benchmark. */
export async function runBench(argv: string[]): Promise<number> {
  const [name] = argv;
  process.stderr.write(`unknown benchmark "${name ?? ""}"\n`);
  return 2;
}
