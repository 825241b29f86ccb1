import { randomBytes, scryptSync } from "node:crypto";
import { closeSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { BatonError } from "../core/errors.js";
import type { Secret } from "../core/secrets/secret.js";

/** Fixed salt for passphrases: the same passphrase must give the same key on every machine. */
const PASSPHRASE_SALT = "baton.secret-key.v1";

export interface SecretKeySource {
  /** BATON_SECRET_KEY: base64 of 32 bytes, or any passphrase (scrypt-derived). */
  secretKey: Secret | null;
  /** `$BATON_HOME/secret.key`, used (and created) when secretKey is null. */
  keyFile: string;
}

/**
 * The 32-byte key for connections and variables. BATON_SECRET_KEY wins; otherwise the key file,
 * generated (32 random bytes, base64, mode 0600) the first time. A key file readable by group
 * or others is refused.
 */
export function loadSecretKey(source: SecretKeySource): Buffer {
  if (source.secretKey !== null) return keyFromText(source.secretKey.reveal());
  return readOrCreateKeyFile(source.keyFile);
}

/** Base64 of exactly 32 bytes is used as is; anything else is a passphrase stretched by scrypt. */
export function keyFromText(text: string): Buffer {
  const trimmed = text.trim();
  if (trimmed === "") throw new BatonError("BATON_SECRET_KEY is set but empty");
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const raw = Buffer.from(trimmed, trimmed.includes("-") || trimmed.includes("_") ? "base64url" : "base64");
    if (raw.length === 32) return raw;
  }
  return scryptSync(trimmed, PASSPHRASE_SALT, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
}

function readOrCreateKeyFile(path: string): Buffer {
  let fd: number;
  try {
    // O_EXCL: two processes starting at once never both write a key.
    fd = openSync(path, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") {
      throw new BatonError(`cannot create the secret key file ${path}: ${(e as Error).message}`, { cause: e });
    }
    return readKeyFile(path);
  }
  try {
    writeSync(fd, `${randomBytes(32).toString("base64")}\n`);
  } finally {
    closeSync(fd);
  }
  return readKeyFile(path);
}

function readKeyFile(path: string): Buffer {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new BatonError(
      `the secret key file ${path} is readable by others (mode ${mode.toString(8).padStart(4, "0")}); ` + `run \`chmod 600 ${path}\` or set BATON_SECRET_KEY`,
    );
  }
  const raw = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
  if (raw.length !== 32) throw new BatonError(`the secret key file ${path} must hold base64 of 32 bytes`);
  return raw;
}
