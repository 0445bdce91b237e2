/**
 * What the page says about a failed request, in the page's language: server errors are
 * translated by their stable `code`, never shown as the server's English message.
 */
import { isApiError } from "./api-client.ts";
import type { Messages } from "./i18n/en.ts";

export function errorMessage(error: unknown, t: Messages): string {
  if (isApiError(error)) {
    const text = t.errors[error.code];
    const retryAfter = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    return typeof retryAfter === "number" ? `${text} ${t.common.retryIn(retryAfter)}` : text;
  }
  // fetch rejects with a TypeError when the server cannot be reached at all.
  if (error instanceof TypeError) return t.common.networkError;
  return t.errors.internal;
}
