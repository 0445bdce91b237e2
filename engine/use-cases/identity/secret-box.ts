/**
 * Secrets at rest (repository credentials, hook secrets): AES-256-GCM under the engine's secret
 * key — `SLUICE_SECRET_KEY`, or a key made on first use and kept in the data dir (`secret-key`,
 * 0600). A stored value is `v1:<base64 of iv, tag and ciphertext>`; one that was changed or sealed
 * under another key does not open.
 */
import crypto from "node:crypto";
import type { EngineSettings } from "../../context.ts";
import { secret } from "./identity.ts";

const VERSION = "v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  constructor(private readonly key: Buffer) {}

  seal(plain: string): string {
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
  }

  open(sealed: string): string {
    if (!sealed.startsWith(VERSION)) throw new Error("not a sealed secret");
    const raw = Buffer.from(sealed.slice(VERSION.length), "base64");
    const decipher = crypto.createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  }
}

const boxes = new Map<string, SecretBox>();

/** The engine's box: its key from the setting, else from (or made in) the data dir; read once. */
export function secretBox(settings: Pick<EngineSettings, "dataDir" | "secretKey">): SecretBox {
  const cacheKey = `${settings.dataDir}\0${settings.secretKey ?? ""}`;
  let box = boxes.get(cacheKey);
  if (!box) {
    const material = secret(settings.dataDir, "secret-key", settings.secretKey, () =>
      crypto.randomBytes(32).toString("base64"),
    );
    box = new SecretBox(crypto.createHash("sha256").update(material).digest());
    boxes.set(cacheKey, box);
  }
  return box;
}
