import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderPage } from "../test/render.tsx";
import { RelativeTime } from "./relative-time.tsx";

describe("RelativeTime", () => {
  it("says a moment just after the page's clock last ticked is past, not 'in a few seconds'", async () => {
    const soon = new Date(Date.now() + 20_000).toISOString();
    await renderPage(<RelativeTime value={soon} />);
    expect(await screen.findByText("a few seconds ago")).toBeInTheDocument();
  });
});
