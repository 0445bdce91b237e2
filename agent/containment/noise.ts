/**
 * What the containment itself writes into a step's stderr and is not the step's output: util-linux
 * `unshare --fork`, whose namespace init was killed (a cancel's SIGKILL), re-raises the signal on
 * itself and can complain "unshare: sigprocmask unblock failed: Invalid argument" on the way out.
 */
const UNSHARE_NOISE = /^unshare: sigprocmask unblock failed: [^\n]*(\n|$)/gm;
const MARK = "unshare: sigprocmask";

/** The chunk without the containment's own complaints (the same chunk when it has none). */
export function withoutContainmentNoise(chunk: Buffer): Buffer {
  if (!chunk.includes(MARK)) return chunk;
  const text = chunk.toString("utf8");
  const kept = text.replace(UNSHARE_NOISE, "");
  return kept === text ? chunk : Buffer.from(kept, "utf8");
}
