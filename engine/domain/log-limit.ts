/**
 * What a build's log keeps of its steps' output: within the per-build limit
 * (`SLUICE_LOG_MAX_BYTES`), and as text either database stores (a NUL byte, which PostgreSQL's
 * text cannot hold, becomes U+FFFD). Pure: the caller reads the sizes and writes the result.
 */
import { logNote } from "../../common/log-notes.ts";

export type IncomingChunk = {
  buildId: number;
  jobId: number;
  stream: "stdout" | "stderr" | "system";
  text: string;
  /** Bytes the agent already dropped past its own per-job limit. */
  dropped?: number | undefined;
};
export type LogSize = { kept: number; dropped: number };

export const TRUNCATION_NOTE = logNote("logLimitReached");

/**
 * Cuts `chunks` (in order) so no build keeps more than `maxBytes` of its steps' output. A build
 * that reaches the limit gets one note saying so; bytes cut, and bytes agents report they
 * dropped, are counted. The agent's own lines (`system`: commands, exit codes, how a job
 * stopped) are small and always kept.
 */
export function applyLogLimit(
  chunks: readonly IncomingChunk[],
  sizes: ReadonlyMap<number, LogSize>,
  maxBytes: number,
): { kept: IncomingChunk[]; changes: { id: number; kept: number; dropped: number }[] } {
  const used = new Map<number, LogSize>();
  const changes = new Map<number, { id: number; kept: number; dropped: number }>();
  const kept: IncomingChunk[] = [];
  for (const incoming of chunks) {
    const chunk = storable(incoming);
    const size = used.get(chunk.buildId) ?? { ...(sizes.get(chunk.buildId) ?? { kept: 0, dropped: 0 }) };
    used.set(chunk.buildId, size);
    const change = changes.get(chunk.buildId) ?? { id: chunk.buildId, kept: 0, dropped: 0 };
    changes.set(chunk.buildId, change);
    change.dropped += chunk.dropped ?? 0;
    const bytes = Buffer.byteLength(chunk.text);
    const room = maxBytes - size.kept;
    if (chunk.stream === "system") {
      if (bytes > 0) kept.push(chunk);
      continue;
    }
    if (bytes <= room) {
      if (bytes > 0) kept.push(chunk);
      size.kept += bytes;
      change.kept += bytes;
      continue;
    }
    const fitting = room > 0 ? cutToBytes(chunk.text, room) : "";
    const fittingBytes = Buffer.byteLength(fitting);
    if (fitting) kept.push({ ...chunk, text: fitting });
    // The note goes with the chunk that fills the build (it may exceed the limit by its length).
    if (room > 0) kept.push({ ...chunk, stream: "system", text: TRUNCATION_NOTE, dropped: undefined });
    size.kept += fittingBytes;
    size.dropped += bytes - fittingBytes;
    change.kept += fittingBytes;
    change.dropped += bytes - fittingBytes;
  }
  return { kept, changes: [...changes.values()].filter((c) => c.kept > 0 || c.dropped > 0) };
}

/** The chunk as text both databases store the same: NUL bytes become the replacement character. */
function storable(chunk: IncomingChunk): IncomingChunk {
  return chunk.text.includes("\u0000") ? { ...chunk, text: chunk.text.replaceAll("\u0000", "\uFFFD") } : chunk;
}

/** The longest prefix of `text` within `bytes` bytes of UTF-8, not splitting a character. */
function cutToBytes(text: string, bytes: number): string {
  const buf = Buffer.from(text);
  let end = Math.min(bytes, buf.length);
  // Step back over continuation bytes (10xxxxxx) so a character is not cut in two.
  while (end > 0 && end < buf.length && ((buf[end] as number) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString("utf8");
}
