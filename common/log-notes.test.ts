import { describe, expect, it } from "vitest";
import {
  LOG_NOTE_CODES,
  LOG_NOTES,
  logNote,
  parseLogNote,
  parseStopReason,
  type StopReason,
  stopReasonText,
} from "./log-notes.ts";

const SAMPLE_ARGS = ["2.5s", "16MiB"];

describe("the lines Sluice writes into a build's log", () => {
  it.each(LOG_NOTE_CODES)("%s reads back into its code and arguments", (code) => {
    const note: { text: (...args: string[]) => string } = LOG_NOTES[code];
    const args = SAMPLE_ARGS.slice(0, note.text.length);
    const line = note.text(...args);
    expect(parseLogNote(`[sluice] ${line}`)).toEqual({ code, args });
  });

  it("reads a stop with a reason of several words, and one without, and leaves a step's own output alone", () => {
    expect(parseLogNote(logNote("stopAfterGrace", "by alice: bad push", "10s").trimEnd())).toEqual({
      code: "stopAfterGrace",
      args: ["by alice: bad push", "10s"],
    });
    expect(logNote("stopNow", "")).toBe("[sluice] stopping: SIGKILL now\n");
    expect(parseLogNote("[sluice] stopping: SIGKILL now")).toEqual({ code: "stopNow", args: [""] });
    expect(parseLogNote("stopping: SIGKILL now")).toBeUndefined();
    expect(parseLogNote("[sluice] something new")).toBeUndefined();
  });

  it.each<StopReason>([
    { kind: "canceled", by: "dev", reason: "bad push: wrong branch" },
    { kind: "canceled", by: "dev", reason: null },
    { kind: "canceled", by: null, reason: "superseded by #3" },
    { kind: "canceled", by: null, reason: null },
    { kind: "failed", reason: "agent_lost" },
    { kind: "timedOut", reason: null },
    { kind: "engine" },
    { kind: "shutdown" },
  ])("a stop's reason %j reads back", (reason) => {
    expect(parseStopReason(stopReasonText(reason))).toEqual(reason);
  });
});
