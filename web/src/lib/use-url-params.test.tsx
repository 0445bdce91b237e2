import { act, render, screen, waitFor } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { describe, expect, it } from "vitest";
import { type UrlParamsChange, useUrlParams } from "./use-url-params.ts";

let change: (apply: UrlParamsChange) => void = () => {};

function Probe() {
  const [params, changeParams] = useUrlParams();
  change = changeParams;
  return <output>{params.toString()}</output>;
}

function openAt(url: string) {
  const router = createMemoryRouter([{ path: "/", element: <Probe /> }], { initialEntries: [url] });
  render(<RouterProvider router={router} />);
  return { router, change: (apply: UrlParamsChange) => change(apply) };
}

describe("useUrlParams", () => {
  it("applies a second change to the first one's result before the page has rendered it", async () => {
    const { router, change } = openAt("/?source=api&status=running");
    // "Clear filters", then a name typed and Enter, faster than the router renders.
    act(() => {
      change((p) => {
        p.delete("source");
        p.delete("status");
      });
      change((p) => p.set("requestedBy", "dev"));
    });
    await waitFor(() => expect(router.state.location.search).toBe("?requestedBy=dev"));
    expect(screen.getByRole("status")).toHaveTextContent(/^requestedBy=dev$/);

    act(() => change((p) => p.set("status", "completed")));
    await waitFor(() => expect(router.state.location.search).toBe("?requestedBy=dev&status=completed"));
  });

  it("builds on where someone else moved the address (a link, back)", async () => {
    const { router, change } = openAt("/?a=1");
    act(() => change((p) => p.set("b", "2")));
    await waitFor(() => expect(router.state.location.search).toBe("?a=1&b=2"));
    await act(() => router.navigate("/?c=3"));
    expect(screen.getByRole("status")).toHaveTextContent(/^c=3$/);
    act(() => change((p) => p.set("d", "4")));
    await waitFor(() => expect(router.state.location.search).toBe("?c=3&d=4"));
  });
});
