/**
 * Every stable error `code` the engine and the BFF answer with (`{error: {code, message}}`).
 * The page translates errors by code, and a test fails when a code here has no translation.
 * One code a line, sorted: add yours in its place.
 */
export const ERROR_CODES = [
  "agent_not_registered",
  "agent_replaced",
  "agent_token_not_allowed",
  "agent_token_required",
  "already_canceling",
  "already_finished",
  "asset_not_found",
  "bad_request",
  "body_too_large",
  "build_not_found",
  "build_protected",
  "builds_not_found",
  "concurrency_group_busy",
  "csrf_failed",
  "database_unavailable",
  "engine_error",
  "engine_unavailable",
  "forbidden",
  "http_error",
  "idempotency_key_reused",
  "internal",
  "invalid_credentials",
  "invalid_cursor",
  "invalid_event_id",
  "invalid_id",
  "invalid_input",
  "invalid_limit",
  "invalid_pipeline",
  "invalid_snapshot",
  "invalid_source",
  "invalid_status",
  "invalid_token",
  "invalid_yaml",
  "malformed_body",
  "member_not_found",
  "missing_body",
  "no_route",
  "not_a_session",
  "not_found",
  "operation_not_found",
  "pipeline_not_found",
  "pipeline_too_large",
  "preview_expired",
  "project_not_found",
  "rate_limited",
  "token_collision",
  "token_not_found",
  "too_many_attempts",
  "too_many_builds",
  "too_many_operations",
  "too_many_streams",
  "unauthenticated",
  "unsupported_encoding",
  "user_exists",
  "user_not_found",
  "yaml_too_complex",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return (ERROR_CODES as readonly unknown[]).includes(value);
}
