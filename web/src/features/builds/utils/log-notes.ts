import { LOG_NOTE_PREFIX, parseLogNote, parseStopReason } from "@common/log-notes.ts";
import { reasonText } from "../../../lib/cancel-note.ts";
import type { Messages } from "../../../lib/i18n/en.ts";

/**
 * A log chunk's text with every line Sluice itself wrote (`[sluice] …`) in the page's language;
 * the steps' own output, and a line it does not know, stay as written.
 */
export function localizeLogText(text: string, t: Messages): string {
  if (!text.includes(LOG_NOTE_PREFIX)) return text;
  return text
    .split("\n")
    .map((line) => localizeLine(line, t))
    .join("\n");
}

function localizeLine(line: string, t: Messages): string {
  const note = parseLogNote(line);
  if (!note) return line;
  const [first = "", ...rest] = note.args;
  // A stop's reason is the cancel's: the engine's own reasons are translated as everywhere else.
  const args = note.code === "stopNow" || note.code === "stopAfterGrace" ? [stopReason(first, t), ...rest] : note.args;
  const text: (...args: string[]) => string = t.logNotes[note.code];
  return `${LOG_NOTE_PREFIX}${text(...args)}`;
}

/** Who asked for the stop: a person's reason as typed, the engine's own reasons translated. */
function stopReason(text: string, t: Messages): string {
  if (text === "") return "";
  const r = parseStopReason(text);
  if (!r) return reasonText(text, t) ?? text;
  const because = (reason: string | null) => (reason === null ? null : (reasonText(reason, t) ?? reason));
  switch (r.kind) {
    case "canceled":
      return r.by === null
        ? t.stopReasons.canceled(because(r.reason))
        : t.stopReasons.canceledBy(r.by, because(r.reason));
    case "failed":
      return t.stopReasons.buildFailed(because(r.reason));
    case "timedOut":
      return t.stopReasons.buildTimedOut(because(r.reason));
    case "engine":
      return t.stopReasons.engine;
    case "shutdown":
      return t.stopReasons.shutdown;
    default: {
      const unknown: never = r;
      throw new Error(`unknown stop reason ${JSON.stringify(unknown)}`);
    }
  }
}
