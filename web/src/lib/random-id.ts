/** A random id for `Idempotency-Key`: `crypto.randomUUID` only exists in secure contexts (not plain http to a LAN host). */
export function randomId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
