/**
 * The signature receivers check, as GitHub's `X-Hub-Signature-256`: `sha256=` and the hex
 * HMAC-SHA256 of the exact body bytes, keyed with the endpoint's secret.
 */
import crypto from "node:crypto";

export function signBody(secret: string, body: string): string {
  return `sha256=${crypto.createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/** Whether `signature` is the body's, compared in constant time (the README's recipe). */
export function verifySignature(secret: string, body: string, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signBody(secret, body));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}
