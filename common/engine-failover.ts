/**
 * `fetch` across several engines sharing one database (for the BFF): requests go to one engine
 * until it cannot be reached, then to the next. A request that never reached an engine (refused,
 * unreachable) moves at once; a GET also moves when its connection broke, but never a write that
 * may have arrived: it could be done twice.
 */
export function failoverFetch(urls: readonly string[], base: typeof fetch = fetch): typeof fetch {
  if (urls.length === 0) throw new Error("failoverFetch needs at least one engine URL");
  const first = urls[0] as string;
  let current = 0;
  return async (input, init) => {
    const requested = input instanceof Request ? input.url : String(input);
    const method = (init?.method ?? "GET").toUpperCase();
    let lastError: unknown;
    for (let tried = 0; tried < urls.length; tried++) {
      const index = current;
      try {
        return await base(requested.replace(first, urls[index] as string), init);
      } catch (err) {
        if (init?.signal?.aborted || !(method === "GET" || neverConnected(err))) throw err;
        lastError = err;
        if (current === index) current = (index + 1) % urls.length;
      }
    }
    throw lastError;
  };
}

const NOT_CONNECTED = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

function neverConnected(err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === "string" && NOT_CONNECTED.has(code);
}
