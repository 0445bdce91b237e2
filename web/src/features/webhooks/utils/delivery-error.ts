import type { Messages } from "../../../lib/i18n/en.ts";

/** How the engine logs a failed attempt (`engine/webhooks/http-post.ts`): `CODE: message`, or its timeout. */
const CODED = /^([A-Za-z][A-Za-z0-9_]*): /;
const TIMEOUT = /^no answer within (\d+(?:\.\d+)?)s$/;
const NETWORK_CODES = [
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
] as const;
const TLS_CODE = /^(ERR_TLS_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_)/;

/**
 * A failed delivery attempt's error in the page's language, with its code kept for whoever
 * debugs the receiver; an error it does not know is shown as the engine wrote it.
 */
export function deliveryErrorText(error: string, t: Messages): string {
  const words = t.webhooks.deliveryErrors;
  const timeout = TIMEOUT.exec(error);
  if (timeout) return words.timeout(timeout[1]!);
  const code = CODED.exec(error)?.[1];
  if (code === undefined) return error;
  if (code === "webhook_url_not_allowed") return t.errors.webhook_url_not_allowed;
  const network = NETWORK_CODES.find((known) => known === code);
  if (network) return words.withCode(words[network], code);
  if (TLS_CODE.test(code)) return words.withCode(words.tls, code);
  return error;
}
