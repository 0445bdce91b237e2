import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { mockApi } from "../../../test/mock-api.ts";
import { renderPage } from "../../../test/render.tsx";
import { OperationItemsTable } from "./operation-items-table.tsx";

describe("an operation's builds", () => {
  it.each([
    ["cancel", ["All", "Pending", "Canceled", "Already finished", "Failed", "Protected"]],
    ["rerun", ["All", "Pending", "Re-run", "Skipped", "Failed"]],
  ] as const)("a %s offers only its own outcomes to filter by", async (kind, outcomes) => {
    mockApi({ "GET /api/operations/op-1/items": () => ({ items: [], nextCursor: null }) });
    await renderPage(<OperationItemsTable id="op-1" kind={kind} running={false} />);
    const filter = await screen.findByLabelText("Outcome");
    expect([...filter.querySelectorAll(".ant-segmented-item-label")].map((l) => l.textContent)).toEqual(outcomes);
  });
});
