import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, vi } from "vitest";
import { forgetStreamClient } from "../lib/stream/stream-client.ts";
import { FakeEventSource } from "./fake-event-source.ts";

// The suite shares two cores with the server suites and the browser tests: a page that renders in
// 100 ms alone can take seconds then, so find* and waitFor wait up to 10 s instead of 1 s.
configure({ asyncUtilTimeout: 10_000 });

// Vitest runs without globals, so Testing Library cannot register its own cleanup.
afterEach(() => {
  cleanup();
  FakeEventSource.reset();
  forgetStreamClient();
  localStorage.clear();
});

// jsdom lacks these browser APIs that antd and the page use.
vi.stubGlobal("EventSource", FakeEventSource);
/** Width queries are answered for jsdom's window (1024 px wide); anything else (dark scheme) does not match. */
function mediaMatches(query: string): boolean {
  const min = /min-width:\s*(\d+)px/.exec(query);
  const max = /max-width:\s*(\d+(?:\.\d+)?)px/.exec(query);
  if (!min && !max) return false;
  return (!min || window.innerWidth >= Number(min[1])) && (!max || window.innerWidth <= Number(max[1]));
}
Object.defineProperty(window, "matchMedia", {
  writable: true,
  value: (query: string) => ({
    matches: mediaMatches(query),
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  }),
});
vi.stubGlobal(
  "ResizeObserver",
  class {
    observe() {}
    unobserve() {}
    disconnect() {}
  },
);
// jsdom cannot compute styles of pseudo-elements (antd measures the scrollbar with one).
const computeStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element) => computeStyle(element);
