import { useCallback, useRef } from "react";
import { useSearchParams } from "react-router";

export type UrlParamsChange = (next: URLSearchParams) => void;

/**
 * The page's search parameters, changed by several controls (a page's filters). Each change
 * applies to the latest parameters, also to those written a moment ago and not rendered yet:
 * react-router's own `setSearchParams(fn)` hands `fn` the parameters of the last render, and
 * renders after a navigation come in a transition, so on a busy page a second quick change
 * ("Clear filters", then typing a name) brought the first one's cleared filters back.
 */
export function useUrlParams(): [URLSearchParams, (change: UrlParamsChange) => void] {
  const [params, setParams] = useSearchParams();
  // Ours, written and not rendered yet, oldest first; `latest` is what the next change builds on.
  const pending = useRef<string[]>([]);
  const shown = useRef(params.toString());
  const latest = useRef(params.toString());
  const rendered = params.toString();
  if (rendered !== shown.current) {
    shown.current = rendered;
    const index = pending.current.indexOf(rendered);
    // Ours arrived (drop it and the older ones), or someone else moved the URL (back, a link): the truth now.
    pending.current = index >= 0 ? pending.current.slice(index + 1) : [];
  }
  latest.current = pending.current.at(-1) ?? rendered;

  const change = useCallback(
    (apply: UrlParamsChange) => {
      const next = new URLSearchParams(latest.current);
      apply(next);
      const text = next.toString();
      if (text === latest.current) return;
      latest.current = text;
      pending.current.push(text);
      setParams(next, { replace: true });
    },
    [setParams],
  );
  return [params, change];
}

/** Sets `key` to the trimmed `value`, or removes it when that is empty. */
export function setOrDelete(params: URLSearchParams, key: string, value: string): void {
  const trimmed = value.trim();
  if (trimmed === "") params.delete(key);
  else params.set(key, trimmed);
}
