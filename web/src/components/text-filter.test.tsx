import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderPage } from "../test/render.tsx";
import { TextFilter } from "./text-filter.tsx";

describe("TextFilter", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a value applied with Enter is not sent again when the typing pause ends (it would undo a Clear filters made meanwhile)", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const onChange = vi.fn();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await renderPage(<TextFilter label="Actor" placeholder="anyone" value="" onChange={onChange} suggestions={[]} />);
    const input = screen.getByRole("combobox", { name: "Actor" });
    await user.type(input, "dev{Enter}");
    expect(onChange.mock.calls).toEqual([["dev"]]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(onChange.mock.calls).toEqual([["dev"]]);
  });

  it("applies what was typed once typing pauses", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const onChange = vi.fn();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await renderPage(<TextFilter label="Actor" placeholder="anyone" value="" onChange={onChange} suggestions={[]} />);
    await user.type(screen.getByRole("combobox", { name: "Actor" }), "maria");
    await vi.advanceTimersByTimeAsync(1000);
    expect(onChange.mock.calls).toEqual([["maria"]]);
  });
});
