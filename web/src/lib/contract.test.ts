import { describe, expect, it } from "vitest";
import * as bffApi from "../../../common/bff-api.ts";
import * as dto from "../../../common/dto.ts";
import * as statuses from "../../../common/statuses.ts";
import * as contract from "./contract.ts";

describe("the page's copy of common's run-time values", () => {
  it("matches common exactly", () => {
    expect(contract.CSRF_HEADER).toBe(bffApi.CSRF_HEADER);
    expect(contract.MAX_REASON_LENGTH).toBe(dto.MAX_REASON_LENGTH);
    expect(contract.BUILD_STATUSES).toEqual(statuses.BUILD_STATUSES);
    expect(contract.ACTIVE_STATUSES).toEqual(statuses.ACTIVE_STATUSES);
    expect(contract.TERMINAL_STATUSES).toEqual(statuses.TERMINAL_STATUSES);
    expect(contract.CANCELABLE_STATUSES).toEqual(statuses.CANCELABLE_STATUSES);
    expect(contract.ITEM_OUTCOMES).toEqual(dto.ITEM_OUTCOMES);
  });

  it("classifies every status as common does", () => {
    for (const status of statuses.BUILD_STATUSES) {
      expect(contract.isTerminal(status)).toBe(statuses.isTerminal(status));
      expect(contract.isActive(status)).toBe(statuses.isActive(status));
    }
  });
});
