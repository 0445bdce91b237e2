import { describe, expect, it } from "vitest";
import { BUILD_STATUSES, type BuildStatus, isLaterStatus, isTerminal } from "../../common/statuses.ts";
import {
  canTransition,
  fromStatuses,
  nextStatus,
  previousStatus,
  TRANSITIONS,
  type TransitionEvent,
} from "./transitions.ts";

/** The design's table, written out independently of the code under test. */
const ALLOWED = new Set([
  "QUEUED>RUNNING",
  "QUEUED>CANCELED",
  "QUEUED>TIMED_OUT",
  "RUNNING>SUCCEEDED",
  "RUNNING>FAILED",
  "RUNNING>TIMED_OUT",
  "RUNNING>CANCELING",
  "CANCELING>CANCELED",
]);

describe("build status transitions", () => {
  for (const from of BUILD_STATUSES) {
    for (const to of BUILD_STATUSES) {
      const allowed = ALLOWED.has(`${from}>${to}`);
      it(`${from} -> ${to} is ${allowed ? "allowed" : "refused"}`, () => {
        expect(canTransition(from, to)).toBe(allowed);
      });
    }
  }

  it("a status only moves on: every allowed transition leads to a later status (pages ignore news of an earlier one)", () => {
    for (const from of BUILD_STATUSES) {
      for (const to of BUILD_STATUSES) {
        if (canTransition(from, to)) expect(isLaterStatus(to, from), `${from} -> ${to}`).toBe(true);
      }
    }
  });

  it("a terminal build never changes again", () => {
    for (const from of BUILD_STATUSES.filter(isTerminal)) {
      for (const event of Object.keys(TRANSITIONS) as TransitionEvent[]) {
        expect(nextStatus(event, from)).toBeUndefined();
      }
    }
  });

  it("every event maps its from-statuses one-to-one, so the old status is known from the new", () => {
    for (const event of Object.keys(TRANSITIONS) as TransitionEvent[]) {
      const froms = fromStatuses(event);
      const targets = froms.map((f) => nextStatus(event, f) as BuildStatus);
      expect(new Set(targets).size).toBe(froms.length);
      for (const from of froms) expect(previousStatus(event, nextStatus(event, from) as BuildStatus)).toBe(from);
    }
  });

  it("cancel moves queued builds straight to CANCELED and running ones to CANCELING", () => {
    expect(nextStatus("cancel", "QUEUED")).toBe("CANCELED");
    expect(nextStatus("cancel", "RUNNING")).toBe("CANCELING");
    expect(nextStatus("cancel", "CANCELING")).toBeUndefined();
  });
});
