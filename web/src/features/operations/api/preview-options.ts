/**
 * A preview is what the user reads before confirming, and its snapshot is what the confirm is
 * bound to: it is fetched once per dialog and never refetched behind the reader's back (a new
 * one comes only when asked for, e.g. after `preview_expired`).
 */
export const PREVIEW_QUERY_DEFAULTS = {
  staleTime: Number.POSITIVE_INFINITY,
  gcTime: 0,
  retry: false,
  refetchOnWindowFocus: false,
  refetchOnReconnect: false,
} as const;
