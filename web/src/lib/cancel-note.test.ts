import { describe, expect, it } from "vitest";
import { cancelNote, itemNote } from "./cancel-note.ts";
import { en } from "./i18n/en.ts";

const cancel = (by: string, reason: string | null) => ({
  cancel: { by, reason, operationId: "op-1", at: "2024-05-01T10:00:00.000Z" },
  statusReason: null,
});

describe("cancel notes", () => {
  it("names who canceled and why", () => {
    expect(cancelNote(cancel("alice", "bad push"), en)).toBe("by alice: bad push");
    expect(cancelNote(cancel("alice", null), en)).toBe("by alice");
  });

  it("says which build superseded one canceled by the concurrency policy", () => {
    expect(cancelNote(cancel("bob", "superseded by #42"), en)).toBe("superseded by #42");
  });

  it("puts an operation item's note in words: a status reached, already canceling, forced, a system reason, or the agent's own message", () => {
    expect(itemNote("SUCCEEDED", en)).toBe("Succeeded");
    expect(itemNote("already_canceling", en)).toBe("Already being canceled");
    expect(itemNote("forced", en)).toBe("stopped by force");
    expect(itemNote("agent_unresponsive", en)).toBe("the agent did not confirm the stop");
    expect(itemNote("kill: permission denied", en)).toBe("kill: permission denied");
    expect(itemNote(null, en)).toBeNull();
  });

  it("translates the engine's own reasons and shows nothing without one", () => {
    expect(cancelNote({ statusReason: "queue_timeout" }, en)).toBe("waited too long in the queue");
    expect(cancelNote({ statusReason: null }, en)).toBeNull();
  });
});
