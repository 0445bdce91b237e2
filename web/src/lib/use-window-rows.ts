import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";

export type RowWindow = {
  /** Rows [start, end) are rendered; the others are stand-in space. */
  start: number;
  end: number;
  rowHeight: number;
};

type Options = {
  /** The row height until the first rendered row can be measured. */
  estimate?: number;
  /** Rows rendered beyond each edge of the viewport, so fast scrolling shows no gap. */
  overscan?: number;
};

/**
 * Which rows of a long table (inside the page, scrolled with the window) are near the viewport.
 * Rows must share one height (single-line cells); it is measured from a rendered row. Keeps
 * the page's own scrolling, native table semantics and sticky columns, which antd's `virtual`
 * mode (a separate scroll box of div rows) would give up.
 */
export function useWindowRows(
  count: number,
  { estimate = 55, overscan = 10 }: Options = {},
): RowWindow & { containerRef: (element: HTMLElement | null) => void } {
  const [element, setElement] = useState<HTMLElement | null>(null);
  const [rowHeight, setRowHeight] = useState(estimate);
  const [range, setRange] = useState(() => ({ start: 0, end: Math.min(count, 2 * overscan) }));
  const frame = useRef<number | undefined>(undefined);

  const update = useCallback(() => {
    frame.current = undefined;
    if (!element) return;
    // The real row height, once a row is on screen (it differs with the theme's font and density).
    const row = element.querySelector<HTMLElement>("tbody > tr[data-row-key]");
    const measured = row?.getBoundingClientRect().height ?? 0;
    if (measured > 0 && Math.abs(measured - rowHeight) >= 0.5) {
      setRowHeight(measured);
      return;
    }
    const header = element.querySelector("thead")?.getBoundingClientRect().height ?? 0;
    const bodyTop = element.getBoundingClientRect().top + header;
    const above = Math.max(0, -bodyTop);
    const start = Math.max(0, Math.floor(above / rowHeight) - overscan);
    const end = Math.min(count, Math.ceil((above + window.innerHeight) / rowHeight) + overscan);
    setRange((current) => (current.start === start && current.end === end ? current : { start, end }));
  }, [element, rowHeight, count, overscan]);

  useLayoutEffect(update, [update]);
  useEffect(() => {
    const schedule = () => {
      frame.current ??= requestAnimationFrame(update);
    };
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule, { passive: true });
    return () => {
      window.removeEventListener("scroll", schedule);
      window.removeEventListener("resize", schedule);
      if (frame.current !== undefined) cancelAnimationFrame(frame.current);
      frame.current = undefined;
    };
  }, [update]);

  return { ...range, end: Math.min(range.end, count), rowHeight, containerRef: setElement };
}
