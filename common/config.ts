/**
 * The one place that reads the environment: a zod schema over `process.env`, parsed once per
 * process by the CLI and passed down. Every key is documented in the README's configuration table.
 */
import path from "node:path";
import { z } from "zod";

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const flag = (fallback: boolean) =>
  z
    .enum(["0", "1", "true", "false"])
    .default(fallback ? "1" : "0")
    .transform((v) => v === "1" || v === "true");
/** Express's `trust proxy` names and addresses or subnets (IPv4 or IPv6, optionally /bits). */
const TRUST_ENTRY = /^(loopback|linklocal|uniquelocal|[0-9A-Fa-f:.]+(\/\d{1,3})?)$/;

/**
 * SLUICE_TRUST_PROXY: unset, `0` or `false` trusts no proxy (X-Forwarded-For is ignored); a number
 * trusts that many hops; otherwise a comma-separated list of proxy addresses, subnets or the
 * names `loopback`, `linklocal`, `uniquelocal`. Trusting every address is not offered.
 */
const trustProxy = z
  .string()
  .optional()
  .transform((raw, ctx): false | number | string[] => {
    const value = raw?.trim() ?? "";
    if (value === "" || value === "0" || value === "false") return false;
    if (/^\d{1,2}$/.test(value)) return Number(value);
    const entries = value.split(",").map((e) => e.trim());
    if (entries.every((e) => TRUST_ENTRY.test(e))) return entries;
    ctx.addIssue({
      code: "custom",
      message: "must be 0, a number of hops, or proxy addresses, subnets, loopback, linklocal or uniquelocal",
    });
    return z.NEVER;
  });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : v));

/** One engine URL, or several separated by commas (an agent fails over between them). */
const engineUrls = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((u) => u.trim().replace(/\/$/, ""))
      .filter((u) => u !== ""),
  )
  .pipe(z.array(z.url({ protocol: /^https?$/, message: "must be http(s) URLs, separated by commas" })));

export const EnvSchema = z.object({
  PORT: port(8080),
  SLUICE_HOST: z.string().default("127.0.0.1"),
  SLUICE_ENGINE_PORT: port(8081),
  SLUICE_ENGINE_URL: engineUrls,
  SLUICE_DATA_DIR: z.string().default("./data"),
  DATABASE_URL: optionalText,
  SLUICE_ADMIN_PASSWORD: optionalText,
  SLUICE_ADMIN_TOKEN: optionalText,
  SLUICE_TOKEN: optionalText,
  SLUICE_CONFIG: optionalText,
  SLUICE_AGENT_SLOTS: z.coerce.number().int().min(0).max(256).default(8),
  SLUICE_AGENT_NAME: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/)
    .optional(),
  SLUICE_AGENT_HEARTBEAT_SECONDS: z.coerce.number().min(0.05).max(3600).default(5),
  SLUICE_DEMO: flag(true),
  SLUICE_STOP_ACK_TIMEOUT_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  SLUICE_AGENT_TIMEOUT_SECONDS: z.coerce.number().min(1).max(86_400).default(60),
  SLUICE_EVENT_RETENTION_HOURS: z.coerce.number().min(0.001).max(100_000).default(168),
  SLUICE_BATCH_CANCEL_MAX_IDS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  SLUICE_PREVIEW_TTL_SECONDS: z.coerce.number().min(1).max(86_400).default(600),
  SLUICE_MAX_RUNNING_OPERATIONS_PER_USER: z.coerce.number().int().min(1).max(1000).default(5),
  SLUICE_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(20),
  SLUICE_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  SLUICE_LOG_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(2 ** 40)
    .default(16 * 2 ** 20),
  SLUICE_WORK_DIR: optionalText,
  SLUICE_CONTAINMENT: z.enum(["auto", "namespace", "marker"]).default("auto"),
  SLUICE_STEP_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a user name")
    .default("sluice-step"),
  SLUICE_TRUST_PROXY: trustProxy,
  SLUICE_BFF_KEY: optionalText,
  SLUICE_METRICS_TOKEN: optionalText,
  SLUICE_SECRET_KEY: optionalText,
  SLUICE_PUBLIC_URL: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === "" ? undefined : v.replace(/\/+$/, "")))
    .pipe(z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional()),
  SLUICE_WEBHOOK_ALLOW_PRIVATE: flag(false),
  SLUICE_WEBHOOK_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(60_000).default(60),
  SLUICE_WEBHOOK_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/**
 * Cross-field rules: an agent must be able to beat three times before it is declared lost, and
 * twice before it fences itself (see the stop deadline).
 */
const EnvRules = EnvSchema.superRefine((e, ctx) => {
  if (e.SLUICE_STOP_ACK_TIMEOUT_SECONDS < 2 * e.SLUICE_AGENT_HEARTBEAT_SECONDS) {
    ctx.addIssue({
      code: "custom",
      path: ["SLUICE_STOP_ACK_TIMEOUT_SECONDS"],
      message: `must be at least two heartbeats (2 × SLUICE_AGENT_HEARTBEAT_SECONDS = ${2 * e.SLUICE_AGENT_HEARTBEAT_SECONDS})`,
    });
  }
  if (e.SLUICE_AGENT_TIMEOUT_SECONDS < 3 * e.SLUICE_AGENT_HEARTBEAT_SECONDS) {
    ctx.addIssue({
      code: "custom",
      path: ["SLUICE_AGENT_TIMEOUT_SECONDS"],
      message: `must be at least three heartbeats (3 × SLUICE_AGENT_HEARTBEAT_SECONDS = ${3 * e.SLUICE_AGENT_HEARTBEAT_SECONDS})`,
    });
  }
});

export type Config = {
  bffPort: number;
  host: string;
  enginePort: number;
  /** Set when the BFF or CLI talks to an engine that runs elsewhere (the first of `engineUrls`). */
  engineUrl: string | undefined;
  /** Every engine an agent may use, in order of preference. */
  engineUrls: string[];
  dataDir: string;
  databaseUrl: string | undefined;
  adminPassword: string | undefined;
  adminToken: string | undefined;
  token: string | undefined;
  /** The CLI's config file (engine URL, token, default project and pipeline); unset: `~/.config/sluice/config.json`. */
  cliConfigFile: string | undefined;
  agentSlots: number;
  /** The in-process or standalone agent's id; unset: `<host>-<random>`, kept in the data dir. */
  agentName: string | undefined;
  agentHeartbeatSeconds: number;
  demo: boolean;
  stopAckTimeoutSeconds: number;
  agentTimeoutSeconds: number;
  eventRetentionHours: number;
  batchCancelMaxIds: number;
  previewTtlSeconds: number;
  maxRunningOperationsPerUser: number;
  /** Event streams one user may hold open on each engine and each BFF process. */
  maxStreamsPerUser: number;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  logMaxBytes: number;
  /** Job workspaces: outside the data dir, which steps must not see. */
  workDir: string;
  containment: "auto" | "namespace" | "marker";
  stepUser: string;
  /** Which reverse proxies' X-Forwarded-For the engine and the BFF believe; false: none. */
  trustProxy: false | number | string[];
  /**
   * Shared by a BFF and its engine when they run as separate processes: with it the engine
   * believes the browser address the BFF forwards with a sign-in. The all-in-one start makes one.
   */
  bffKey: string | undefined;
  /** What build steps inherit from this process's environment: PATH and basics, no secrets. */
  stepBaseEnv: Record<string, string>;
  /** `GET /metrics` (engine and BFF) needs `Authorization: Bearer <this>` when set. */
  metricsToken: string | undefined;
  /** Encrypts repository credentials and hook secrets at rest; unset, a key kept in the data dir. */
  secretKey: string | undefined;
  /** Where people reach the console (commit statuses link there); unset, `http://localhost:<PORT>`. */
  publicUrl: string | undefined;
  webhooks: {
    /** Private and loopback addresses may receive webhooks. */
    allowPrivate: boolean;
    /** Most requests per endpoint per minute. */
    ratePerMinute: number;
    /** Most builds in one per-build delivery. */
    batchSize: number;
  };
};

/** HOME, USER and LOGNAME are the step user's, set by the agent; TMPDIR is left to the default. */
const STEP_ENV_KEYS = ["PATH", "LANG", "LC_ALL", "TZ"];

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvRules.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return {
    bffPort: e.PORT,
    host: e.SLUICE_HOST,
    enginePort: e.SLUICE_ENGINE_PORT,
    engineUrl: e.SLUICE_ENGINE_URL[0],
    engineUrls: e.SLUICE_ENGINE_URL,
    dataDir: path.resolve(e.SLUICE_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    adminPassword: e.SLUICE_ADMIN_PASSWORD,
    adminToken: e.SLUICE_ADMIN_TOKEN,
    token: e.SLUICE_TOKEN,
    cliConfigFile: e.SLUICE_CONFIG,
    agentSlots: e.SLUICE_AGENT_SLOTS,
    agentName: e.SLUICE_AGENT_NAME,
    agentHeartbeatSeconds: e.SLUICE_AGENT_HEARTBEAT_SECONDS,
    demo: e.SLUICE_DEMO,
    stopAckTimeoutSeconds: e.SLUICE_STOP_ACK_TIMEOUT_SECONDS,
    agentTimeoutSeconds: e.SLUICE_AGENT_TIMEOUT_SECONDS,
    eventRetentionHours: e.SLUICE_EVENT_RETENTION_HOURS,
    batchCancelMaxIds: e.SLUICE_BATCH_CANCEL_MAX_IDS,
    previewTtlSeconds: e.SLUICE_PREVIEW_TTL_SECONDS,
    maxRunningOperationsPerUser: e.SLUICE_MAX_RUNNING_OPERATIONS_PER_USER,
    maxStreamsPerUser: e.SLUICE_MAX_STREAMS_PER_USER,
    logLevel: e.SLUICE_LOG_LEVEL,
    logMaxBytes: e.SLUICE_LOG_MAX_BYTES,
    workDir: path.resolve(e.SLUICE_WORK_DIR ?? `${path.resolve(e.SLUICE_DATA_DIR)}-workspaces`),
    containment: e.SLUICE_CONTAINMENT,
    stepUser: e.SLUICE_STEP_USER,
    trustProxy: e.SLUICE_TRUST_PROXY,
    bffKey: e.SLUICE_BFF_KEY,
    stepBaseEnv: Object.fromEntries(STEP_ENV_KEYS.flatMap((k) => (env[k] ? [[k, env[k] as string]] : []))),
    metricsToken: e.SLUICE_METRICS_TOKEN,
    secretKey: e.SLUICE_SECRET_KEY,
    publicUrl: e.SLUICE_PUBLIC_URL,
    webhooks: {
      allowPrivate: e.SLUICE_WEBHOOK_ALLOW_PRIVATE,
      ratePerMinute: e.SLUICE_WEBHOOK_RATE_PER_MINUTE,
      batchSize: e.SLUICE_WEBHOOK_BATCH_SIZE,
    },
  };
}
