import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { BatonError } from "../core/errors.js";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Decryption failed: the key is not the one the value was written with, or the value was altered. */
export class SecretDecryptionError extends BatonError {}

/**
 * AES-256-GCM over short values. Each value gets a fresh random 12-byte IV and is stored as
 * `v1:<iv base64>:<tag base64>:<ciphertext base64>`. `context` (e.g. `connection:<id>`) is
 * authenticated but not stored, so a ciphertext copied onto another row does not decrypt.
 */
export class SecretCipher {
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new BatonError(`the secret key must be 32 bytes, got ${key.length}`);
    this.#key = Buffer.from(key);
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [VERSION, iv.toString("base64"), cipher.getAuthTag().toString("base64"), data.toString("base64")].join(":");
  }

  /** `what` names the value in errors (e.g. `connection "warehouse"`). */
  decrypt(stored: string, context: string, what: string): string {
    const parts = stored.split(":");
    if (parts.length !== 4 || parts[0] !== VERSION) {
      throw new SecretDecryptionError(`cannot decrypt ${what}: not a ${VERSION} ciphertext (the stored value is corrupt)`);
    }
    const iv = Buffer.from(parts[1]!, "base64");
    const tag = Buffer.from(parts[2]!, "base64");
    const data = Buffer.from(parts[3]!, "base64");
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new SecretDecryptionError(`cannot decrypt ${what}: malformed ciphertext (the stored value is corrupt)`);
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString("utf8");
    } catch (e) {
      throw new SecretDecryptionError(
        `cannot decrypt ${what}: wrong key or tampered value. It was encrypted with another BATON_SECRET_KEY ` +
          `(or another $BATON_HOME/secret.key); set BATON_SECRET_KEY to the key it was written with`,
        { cause: e },
      );
    }
  }
}
