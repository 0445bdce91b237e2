/** `/sign-in?next=<where the user was going>`; `expired` when a session ended under an open page. */
export function signInPath(location: { pathname: string; search: string; hash?: string }, expired = false): string {
  const next = location.pathname + location.search + (location.hash ?? "");
  const params = new URLSearchParams();
  if (next !== "/" && !next.startsWith("/sign-in")) params.set("next", next);
  if (expired) params.set("expired", "1");
  const query = params.toString();
  return query ? `/sign-in?${query}` : "/sign-in";
}

/** Only paths inside this app: `?next=https://evil.example` or `//evil.example` must not redirect away. */
export function safeNext(next: string | null): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}
