/**
 * Repositories: where a project's code lives, how Sluice hears of its pushes and pull requests
 * (the inbound hook, its secret and its delivery log) and where build states go back (the
 * provider's commit status API). Shared by engine, CLI, BFF and page.
 */
import { z } from "zod";
import { list, page, QueryText, ResourceName, Time } from "./shared.ts";

export const REPOSITORY_PROVIDERS = ["github", "gitlab", "gitea", "generic"] as const;
export type RepositoryProvider = (typeof REPOSITORY_PROVIDERS)[number];

/**
 * A clone URL git understands: https/http/ssh/git/file URLs, scp-like `git@host:owner/repo.git`, or
 * an absolute path to a repository on the agent's machine. Never with a password in it
 * (credentials go in `credentials`, stored encrypted).
 */
export const RepositoryUrl = z
  .string()
  .min(1)
  .max(2000)
  .refine(
    (u) =>
      /^(https?|ssh|git|file):\/\/[^\s]+$/.test(u) ||
      /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/.test(u) ||
      /^\/\S*$/.test(u),
    "must be an https://, ssh://, git:// or file:// URL, user@host:path, or an absolute path",
  )
  .refine((u) => !/^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(u), "must not carry a password; use credentials");

/** A base URL of a provider's API or web pages (GitHub Enterprise, a self-hosted GitLab or Gitea). */
const BaseUrl = z
  .string()
  .max(2000)
  .pipe(z.url({ protocol: /^https?$/, message: "must be an http:// or https:// URL" }))
  .transform((u) => u.replace(/\/+$/, ""));

/** `owner/repo` (GitHub, Gitea) or `group/sub/project` (GitLab): where the status API finds it. */
export const FullName = z
  .string()
  .max(300)
  .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)+$/, "must be owner/name (GitLab: group/…/project)");

/**
 * A token for HTTPS clones and the status API. `username` defaults to what the provider expects
 * with a token (`x-access-token` on GitHub, `oauth2` on GitLab, `sluice` elsewhere).
 */
export const RepositoryCredentials = z.strictObject({
  token: z
    .string()
    .min(1)
    .max(4096)
    .regex(/^[^\r\n\0]+$/, "must be one line"),
  username: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^\s:]+$/, "must not contain spaces or ':'")
    .optional(),
});
export type RepositoryCredentials = z.infer<typeof RepositoryCredentials>;

/** `PUT /v1/projects/{p}/repositories/{name}`; `credentials: null` removes them, leaving them out keeps them. */
export const PutRepositoryRequest = z.strictObject({
  url: RepositoryUrl,
  provider: z.enum(REPOSITORY_PROVIDERS),
  credentials: RepositoryCredentials.nullable().optional(),
  fullName: FullName.optional(),
  /** The provider's API (`https://api.github.com`, `https://gitlab.example.com/api/v4`, `https://gitea.example.com/api/v1`). */
  apiUrl: BaseUrl.optional(),
  /** Where commits are shown (`https://github.com/acme/web`); builds link to `<webUrl>/commit/<sha>`. */
  webUrl: BaseUrl.optional(),
  /** Report each build's state on its commit (needs credentials and a provider other than generic). */
  statuses: z.boolean().default(true),
});
export type PutRepositoryRequest = z.input<typeof PutRepositoryRequest>;

export const Repository = z.object({
  project: z.string(),
  name: z.string(),
  url: z.string(),
  provider: z.enum(REPOSITORY_PROVIDERS),
  fullName: z.string().nullable(),
  apiUrl: z.string().nullable(),
  webUrl: z.string().nullable(),
  statuses: z.boolean(),
  /** Credentials are never returned; this says some are stored. */
  credentialsSet: z.boolean(),
  /** Where the provider sends its events (`POST`). */
  hookUrl: z.string(),
  hookSecretRotatedAt: Time,
  createdAt: Time,
  updatedAt: Time,
});
export type Repository = z.infer<typeof Repository>;

/** A new repository, or a rotated secret: the hook secret, shown this once. */
export const RepositoryWithSecret = Repository.extend({ hookSecret: z.string() });
export type RepositoryWithSecret = z.infer<typeof RepositoryWithSecret>;

export const RepositoryList = list(Repository);

export const HOOK_DELIVERY_STATUSES = ["pending", "processed", "ignored", "failed"] as const;
export type HookDeliveryStatus = (typeof HOOK_DELIVERY_STATUSES)[number];

/** What a delivery did: the builds it started, the cancel it made (one operation), or why it was ignored. */
export const HookEffects = z.object({
  created: z.array(z.object({ buildId: z.number().int(), pipeline: z.string(), number: z.number().int() })),
  /** The bulk cancel it caused (superseded builds, a deleted branch, a closed pull request). */
  operationId: z.string().nullable(),
  canceled: z.number().int(),
});
export type HookEffects = z.infer<typeof HookEffects>;

export const HookDelivery = z.object({
  id: z.number().int(),
  /** The provider's delivery id (`X-GitHub-Delivery`, `X-Gitlab-Event-UUID`, `X-Gitea-Delivery`, `X-Sluice-Delivery`). */
  deliveryId: z.string(),
  provider: z.enum(REPOSITORY_PROVIDERS),
  /** What it was: `push`, `branch_deleted`, `pull_request`, `ping`, or the provider's event name when unsupported. */
  event: z.string(),
  /** `opened`, `updated`, `closed` for pull requests. */
  action: z.string().nullable(),
  branch: z.string().nullable(),
  commit: z.string().nullable(),
  pullRequest: z.number().int().nullable(),
  sender: z.string().nullable(),
  status: z.enum(HOOK_DELIVERY_STATUSES),
  /** Why it was ignored or failed. */
  reason: z.string().nullable(),
  effects: HookEffects,
  receivedAt: Time,
  processedAt: Time.nullable(),
  /** The delivery this one sends again (`redeliver`), and the user who asked; null for the provider's own. */
  redeliveryOf: z.number().int().nullable(),
  redeliveredBy: z.string().nullable(),
});
export type HookDelivery = z.infer<typeof HookDelivery>;

/** `202` to the provider: the stored delivery (`repeated`: this delivery id was seen before; nothing new). */
export const HookAccepted = z.object({ delivery: HookDelivery, repeated: z.boolean() });
export type HookAccepted = z.infer<typeof HookAccepted>;

export const HookDeliveryPage = page(HookDelivery);

/** `GET .../repositories/{name}/deliveries`: `cursor`, `limit` (1–200); checked by the route. */
export const HookDeliveriesQuery = z.object({ cursor: QueryText.optional(), limit: QueryText.optional() });

export const RepositoryName = ResourceName;

/**
 * The generic format (a `post-receive` hook, or anything that can sign a small JSON): `X-Sluice-Event`
 * `push` or `pull_request`, `X-Sluice-Delivery` (optional; the body's hash otherwise),
 * `X-Sluice-Signature-256: sha256=<hex HMAC-SHA256 of the body, keyed with the hook secret>`.
 */
export const GenericPush = z.object({
  ref: z.string().min(1).max(1000),
  before: z.string().max(64).optional(),
  after: z.string().regex(/^[0-9a-f]{7,64}$/i),
  pusher: z.string().max(200).optional(),
  message: z.string().max(65_536).optional(),
  author: z.string().max(200).optional(),
  /** The repository's name in Sluice or its clone URL; when given it must match. */
  repository: z.string().max(2000).optional(),
});
export const GenericPullRequest = z.object({
  action: z.enum(["opened", "updated", "closed", "merged"]),
  number: z.number().int().positive(),
  head: z.object({ ref: z.string().min(1).max(1000), sha: z.string().regex(/^[0-9a-f]{7,64}$/i) }),
  base: z.object({ ref: z.string().min(1).max(1000) }),
  title: z.string().max(1000).optional(),
  author: z.string().max(200).optional(),
  repository: z.string().max(2000).optional(),
});

export const HOOK_HEADERS = {
  event: "X-Sluice-Event",
  delivery: "X-Sluice-Delivery",
  signature: "X-Sluice-Signature-256",
} as const;
