/**
 * The providers' ways of proving a hook came from them, checked over the raw body bytes in
 * constant time: an HMAC-SHA256 of the body keyed with the hook secret (GitHub's `sha256=<hex>`,
 * Gitea's bare hex, the generic format's `sha256=<hex>`), or the secret itself (GitLab's token).
 */
import crypto from "node:crypto";

export function hmacHex(secret: string, body: Buffer): string {
  return crypto.createHmac("sha256", secret).update(body).digest("hex");
}

/**
 * Equal strings, compared in constant time whatever their lengths (both sides are hashed first,
 * so neither the length nor a prefix of the expected value leaks).
 */
export function sameSecret(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = crypto.createHash("sha256").update(expected).digest();
  const b = crypto.createHash("sha256").update(given).digest();
  return crypto.timingSafeEqual(a, b);
}

/** `sha256=<hex>` (GitHub, generic) or `<hex>` (Gitea) of the body. */
export function signatureMatches(
  secret: string,
  body: Buffer,
  given: string | undefined,
  form: "prefixed" | "bare",
): boolean {
  const hex = hmacHex(secret, body);
  return sameSecret(form === "prefixed" ? `sha256=${hex}` : hex, given?.trim().toLowerCase());
}
