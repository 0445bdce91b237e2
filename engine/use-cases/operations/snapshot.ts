/**
 * A preview's snapshot: a signed bound that the confirming request sends back, so a bulk cancel
 * acts only on builds that existed when the user looked (and matched what they looked at). It
 * holds the scope, the highest build id and the time of the preview, and a hash of the selection;
 * HMAC-SHA256 with a key the engine replicas share. Stateless: any replica verifies it.
 */
import crypto from "node:crypto";
import type { OperationSelection } from "../../../common/dto.ts";
import { ConflictError, InputError } from "../../../common/errors.ts";
import type { EngineContext } from "../../context.ts";

export type Snapshot = {
  projectId: number;
  pipelineId: number | null;
  /** Builds with a higher id were created after the preview. */
  maxId: number;
  /** When the preview was taken (ms). */
  at: number;
  /** Hash of what was previewed (`selectionHash`). */
  selection: string;
  /** Hash of what a narrowed filter kept and left out by (`narrowedHash`). */
  narrowed?: string;
  /** The impact's headline figures the person saw: the operation records them. */
  impact?: NonNullable<OperationSelection["impact"]>;
  /** The total the person must type to confirm (the project's guardrails asked for it). */
  confirm?: number;
};

const keys = new WeakMap<EngineContext, Promise<Buffer>>();

function keyOf(ctx: EngineContext): Promise<Buffer> {
  let key = keys.get(ctx);
  if (!key) {
    key = ctx.store.secrets
      .getOrCreate({
        name: "preview-signing-key",
        make: () => crypto.randomBytes(32).toString("base64"),
        now: ctx.now(),
      })
      .then((value) => Buffer.from(value, "base64"));
    key.catch(() => keys.delete(ctx));
    keys.set(ctx, key);
  }
  return key;
}

/** A stable hash of a selection: the same builds named the same way hash the same. */
export function selectionHash(selection: unknown): string {
  return crypto.createHash("sha256").update(canonical(selection)).digest("base64url");
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return `[${(value.every((v) => typeof v !== "object") ? items.sort() : items).join(",")}]`;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export async function signSnapshot(ctx: EngineContext, snapshot: Snapshot): Promise<string> {
  const body = Buffer.from(JSON.stringify(snapshot)).toString("base64url");
  const signature = crypto
    .createHmac("sha256", await keyOf(ctx))
    .update(body)
    .digest("base64url");
  return `${body}.${signature}`;
}

/**
 * The snapshot, if it is genuine, for this scope and selection, and fresh: a tampered or foreign
 * one is 400 `invalid_snapshot`, an old one 409 `preview_expired` (preview again).
 */
export async function verifySnapshot(
  ctx: EngineContext,
  token: string,
  expect: { projectId: number; pipelineId: number | null; selection: string },
): Promise<Snapshot> {
  const [body = "", signature = ""] = token.split(".");
  const wanted = crypto
    .createHmac("sha256", await keyOf(ctx))
    .update(body)
    .digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== wanted.length || !crypto.timingSafeEqual(given, wanted)) {
    throw new InputError("The preview snapshot is not valid", undefined, "invalid_snapshot");
  }
  const snapshot = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Snapshot;
  if (
    snapshot.projectId !== expect.projectId ||
    snapshot.pipelineId !== expect.pipelineId ||
    snapshot.selection !== expect.selection
  ) {
    throw new InputError(
      "The preview snapshot was taken for other builds: preview this selection again",
      undefined,
      "invalid_snapshot",
    );
  }
  const ttlMs = ctx.settings.previewTtlSeconds * 1000;
  if (ctx.now() - snapshot.at > ttlMs) {
    throw new ConflictError("preview_expired", "The preview is too old: preview again, then confirm", {
      previewedAt: new Date(snapshot.at).toISOString(),
    });
  }
  return snapshot;
}
