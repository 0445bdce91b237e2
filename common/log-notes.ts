/**
 * The lines Sluice itself writes into a build's log (`[sluice] …`), declared once. The agent and
 * the engine write them in English, so the raw log and the CLI read as they always did; the page
 * reads a known line back into its code and arguments and shows it in the page's language.
 */

export const LOG_NOTE_PREFIX = "[sluice] ";

type Note = { text: (...args: string[]) => string; pattern: RegExp };

/** `reason; ` before the signal, when there is a reason. */
const lead = (reason: string) => (reason ? `${reason}; ` : "");
const LEAD = "(?:(.*); )?";

export const LOG_NOTES = {
  stopNow: {
    text: (reason) => `stopping: ${lead(reason)}SIGKILL now`,
    pattern: new RegExp(`^stopping: ${LEAD}SIGKILL now$`),
  },
  stopAfterGrace: {
    text: (reason, grace) => `stopping: ${lead(reason)}SIGTERM, SIGKILL after ${grace} grace`,
    pattern: new RegExp(`^stopping: ${LEAD}SIGTERM, SIGKILL after (\\S+) grace$`),
  },
  stoppedBySigterm: {
    text: (elapsed) => `stopped: every process ended ${elapsed} after SIGTERM`,
    pattern: /^stopped: every process ended (\S+) after SIGTERM$/,
  },
  stoppedBySigkill: { text: () => "stopped: SIGKILL", pattern: /^stopped: SIGKILL$/ },
  stoppedAfterGrace: {
    text: (grace) => `stopped: SIGKILL after the ${grace} grace period`,
    pattern: /^stopped: SIGKILL after the (\S+) grace period$/,
  },
  checkingOut: {
    text: (commit, url) => `checking out ${commit} from ${url}`,
    pattern: /^checking out (\S+) from (.+)$/,
  },
  checkoutFailed: { text: (exit) => `checkout failed (exit ${exit})`, pattern: /^checkout failed \(exit (\S+)\)$/ },
  workspaceNotRemoved: {
    text: (problem) => `workspace not removed: ${problem}`,
    pattern: /^workspace not removed: (.+)$/,
  },
  outputLimitReached: {
    text: (limit) => `output limit of ${limit} reached: further output is dropped`,
    pattern: /^output limit of (.+) reached: further output is dropped$/,
  },
  outputDropped: {
    text: (dropped, limit) => `${dropped} of output dropped (limit ${limit})`,
    pattern: /^(.+) of output dropped \(limit (.+)\)$/,
  },
  logTruncated: {
    text: (dropped) => `log truncated: ${dropped} of output dropped past the log limit`,
    pattern: /^log truncated: (.+) of output dropped past the log limit$/,
  },
  logLimitReached: {
    text: () => "log limit reached: further output of this build is dropped",
    pattern: /^log limit reached: further output of this build is dropped$/,
  },
} satisfies Record<string, Note>;

export type LogNoteCode = keyof typeof LOG_NOTES;
export const LOG_NOTE_CODES = Object.keys(LOG_NOTES) as LogNoteCode[];

/** Who asked for a stop and why, as the "stopping:" line says it. */
export type StopReason =
  | { kind: "canceled"; by: string | null; reason: string | null }
  | { kind: "failed" | "timedOut"; reason: string | null }
  /** The engine wants the job stopped for no reason of the build's (it is not running anymore). */
  | { kind: "engine" }
  /** The agent stops its jobs because it is itself shutting down. */
  | { kind: "shutdown" };

const BUILD_ENDED = { failed: "build failed", timedOut: "build timed out" } as const;

/** "canceled by dev: bad push", "build failed: …", "agent shutting down". */
export function stopReasonText(r: StopReason): string {
  switch (r.kind) {
    case "canceled": {
      const by = r.by ? `canceled by ${r.by}` : "canceled";
      return r.reason ? `${by}: ${r.reason}` : by;
    }
    case "failed":
    case "timedOut":
      return `${BUILD_ENDED[r.kind]}${r.reason ? `: ${r.reason}` : ""}`;
    case "engine":
      return "stop requested by the engine";
    case "shutdown":
      return "agent shutting down";
    default: {
      const unknown: never = r;
      throw new Error(`unknown stop reason ${JSON.stringify(unknown)}`);
    }
  }
}

/** A "stopping:" line's reason read back; undefined when it is none of these (an older agent's words). */
export function parseStopReason(text: string): StopReason | undefined {
  const canceled = /^canceled(?: by ([^:]+))?(?:: (.*))?$/s.exec(text);
  if (canceled) return { kind: "canceled", by: canceled[1] ?? null, reason: canceled[2] ?? null };
  for (const kind of ["failed", "timedOut"] as const) {
    const prefix = BUILD_ENDED[kind];
    if (text === prefix) return { kind, reason: null };
    if (text.startsWith(`${prefix}: `)) return { kind, reason: text.slice(prefix.length + 2) };
  }
  if (text === stopReasonText({ kind: "engine" })) return { kind: "engine" };
  if (text === stopReasonText({ kind: "shutdown" })) return { kind: "shutdown" };
  return undefined;
}

/** A whole log line, prefix and newline included. */
export function logNote<K extends LogNoteCode>(code: K, ...args: Parameters<(typeof LOG_NOTES)[K]["text"]>): string {
  const note: Note = LOG_NOTES[code];
  return `${LOG_NOTE_PREFIX}${note.text(...args)}\n`;
}

/** A line (without its newline) read back into its note, or undefined when Sluice did not write it. */
export function parseLogNote(line: string): { code: LogNoteCode; args: string[] } | undefined {
  if (!line.startsWith(LOG_NOTE_PREFIX)) return undefined;
  const text = line.slice(LOG_NOTE_PREFIX.length);
  for (const code of LOG_NOTE_CODES) {
    const match = LOG_NOTES[code].pattern.exec(text);
    if (match) return { code, args: match.slice(1).map((arg) => arg ?? "") };
  }
  return undefined;
}
