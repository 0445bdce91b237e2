/**
 * Managing a project's repositories (maintainers): add or change one, read them, rotate the hook
 * secret, read the delivery log. Secrets are sealed before they are stored and never returned;
 * the hook secret is shown once, when it is made.
 */
import crypto from "node:crypto";
import type {
  HookDelivery,
  HookEffects,
  PutRepositoryRequest,
  Repository,
  RepositoryProvider,
  RepositoryWithSecret,
} from "../../../common/contract/repositories.ts";
import { InputError, NotFoundError } from "../../../common/errors.ts";
import type { EngineContext } from "../../context.ts";
import { fullNameOf } from "../../domain/hooks/providers.ts";
import type { ProjectRow } from "../../store/projects-repo.ts";
import type { HookDeliveryRow, RepositoryRow } from "../../store/repositories-repo.ts";
import { resolveProject } from "../catalog/catalog.ts";
import type { Actor } from "../identity/identity.ts";
import { secretBox } from "../identity/secret-box.ts";
import { iso } from "../mappers.ts";
import { cursorId, pageOf } from "../paging.ts";

type PutRequest = Omit<PutRepositoryRequest, "statuses"> & { statuses: boolean };

/** Where the engine answers (the hook URL is built on it): `http(s)://host[:port]` of the request. */
export type BaseUrl = string;

export async function putRepository(
  ctx: EngineContext,
  actor: Actor,
  names: { project: string; repository: string },
  request: PutRequest,
  baseUrl: BaseUrl,
): Promise<{ repository: Repository | RepositoryWithSecret; created: boolean }> {
  const project = await resolveProject(ctx, actor, names.project, "edit");
  checkName(names.repository);
  const box = secretBox(ctx.settings);
  const now = ctx.now();
  const existing = await ctx.store.repositories.find({ projectId: project.id, name: names.repository });
  const fields = {
    url: request.url,
    provider: request.provider,
    full_name: request.fullName ?? null,
    api_url: request.apiUrl ?? null,
    web_url: request.webUrl ?? defaultWebUrl(request.url, request.provider),
    statuses: request.statuses ? 1 : 0,
    updated_at: now,
  };
  const credentials =
    request.credentials === undefined
      ? undefined
      : request.credentials === null
        ? null
        : box.seal(JSON.stringify(request.credentials));
  if (existing) {
    const row = await ctx.store.repositories.update({
      id: existing.id,
      set: { ...fields, ...(credentials !== undefined ? { credentials } : {}) },
    });
    return { repository: toRepository(project, row, baseUrl), created: false };
  }
  const hookSecret = newHookSecret();
  const row = await ctx.store.repositories.insert({
    project_id: project.id,
    name: names.repository,
    ...fields,
    credentials: credentials ?? null,
    hook_secret: box.seal(hookSecret),
    hook_secret_rotated_at: now,
    created_by: actor.username,
    created_at: now,
  });
  return { repository: { ...toRepository(project, row, baseUrl), hookSecret }, created: true };
}

export async function listRepositories(
  ctx: EngineContext,
  actor: Actor,
  projectName: string,
  baseUrl: BaseUrl,
): Promise<Repository[]> {
  const project = await resolveProject(ctx, actor, projectName, "edit");
  const rows = await ctx.store.repositories.list({ projectId: project.id });
  return rows.map((row) => toRepository(project, row, baseUrl));
}

export async function getRepository(
  ctx: EngineContext,
  actor: Actor,
  names: { project: string; repository: string },
  baseUrl: BaseUrl,
): Promise<Repository> {
  const { project, repository } = await resolveRepository(ctx, actor, names);
  return toRepository(project, repository, baseUrl);
}

/** A new hook secret, shown this once; the old one stops working at once. */
export async function rotateHookSecret(
  ctx: EngineContext,
  actor: Actor,
  names: { project: string; repository: string },
  baseUrl: BaseUrl,
): Promise<RepositoryWithSecret> {
  const { project, repository } = await resolveRepository(ctx, actor, names);
  const hookSecret = newHookSecret();
  const now = ctx.now();
  const row = await ctx.store.repositories.update({
    id: repository.id,
    set: { hook_secret: secretBox(ctx.settings).seal(hookSecret), hook_secret_rotated_at: now, updated_at: now },
  });
  ctx.log.info("hook secret rotated", { project: project.name, repository: row.name, by: actor.username });
  return { ...toRepository(project, row, baseUrl), hookSecret };
}

export async function listHookDeliveries(
  ctx: EngineContext,
  actor: Actor,
  names: { project: string; repository: string },
  opts: { cursor: string | undefined; limit: number },
): Promise<{ items: HookDelivery[]; nextCursor: string | null }> {
  const { repository } = await resolveRepository(ctx, actor, names);
  const beforeId = opts.cursor === undefined ? undefined : cursorId(opts.cursor);
  const rows = await ctx.store.repositories.deliveries({
    repositoryId: repository.id,
    ...(beforeId !== undefined ? { beforeId } : {}),
    limit: opts.limit + 1,
  });
  return pageOf(rows, opts.limit, toHookDelivery);
}

export async function resolveRepository(
  ctx: EngineContext,
  actor: Actor,
  names: { project: string; repository: string },
): Promise<{ project: ProjectRow; repository: RepositoryRow }> {
  const project = await resolveProject(ctx, actor, names.project, "edit");
  const repository = await ctx.store.repositories.find({ projectId: project.id, name: names.repository });
  if (!repository) {
    throw new NotFoundError(
      `Repository "${names.repository}" not found in "${project.name}"`,
      undefined,
      "repository_not_found",
    );
  }
  return { project, repository };
}

function checkName(name: string): void {
  if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(name)) {
    throw new InputError("repository: must be 1-63 lowercase letters, digits, '.', '_' or '-'", { field: "name" });
  }
}

function newHookSecret(): string {
  return crypto.randomBytes(24).toString("base64url");
}

/** `https://host/owner/name` for an https or ssh clone URL of a known provider; null otherwise. */
function defaultWebUrl(url: string, provider: RepositoryProvider): string | null {
  if (provider === "generic") return null;
  const fullName = fullNameOf(url);
  const host = /^[^@\s]+@([^:\s]+):/.exec(url)?.[1] ?? (/^(https?|ssh):\/\//.test(url) ? new URL(url).hostname : null);
  return fullName && host ? `https://${host}/${fullName}` : null;
}

export function toRepository(project: ProjectRow, row: RepositoryRow, baseUrl: BaseUrl): Repository {
  return {
    project: project.name,
    name: row.name,
    url: row.url,
    provider: row.provider as RepositoryProvider,
    fullName: row.full_name,
    apiUrl: row.api_url,
    webUrl: row.web_url,
    statuses: row.statuses === 1,
    credentialsSet: row.credentials !== null,
    hookUrl: `${baseUrl}/v1/hooks/${encodeURIComponent(project.name)}/${encodeURIComponent(row.name)}`,
    hookSecretRotatedAt: iso(row.hook_secret_rotated_at) as string,
    createdAt: iso(row.created_at) as string,
    updatedAt: iso(row.updated_at) as string,
  };
}

export const NO_EFFECTS: HookEffects = { created: [], operationId: null, canceled: 0 };

export function toHookDelivery(row: HookDeliveryRow): HookDelivery {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    provider: row.provider as RepositoryProvider,
    event: row.event,
    action: row.action,
    branch: row.branch,
    commit: row.commit_sha,
    pullRequest: row.pull_request,
    sender: row.sender,
    status: row.status,
    reason: row.reason,
    effects: row.effects ? (JSON.parse(row.effects) as HookEffects) : NO_EFFECTS,
    receivedAt: iso(row.received_at) as string,
    processedAt: iso(row.processed_at),
    redeliveryOf: row.redelivery_of,
    redeliveredBy: row.redelivered_by,
  };
}
