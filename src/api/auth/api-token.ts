import { randomBytes } from "node:crypto";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import type { ApiTokenRecord, EpochMs, Role } from "../../core/model/records.js";
import type { AuthStore } from "../../core/ports/auth-store.js";
import { roleAtLeast } from "./principal.js";
import { randomSecret, sha256Hex } from "./secrets.js";

const DAY_MS = 86_400_000;
export const MAX_TOKEN_DAYS = 3650;

/** `baton_<id: 12 hex>_<secret: 32 bytes base64url>`; the secret may itself contain "_". */
const TOKEN_PATTERN = /^baton_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface ParsedApiToken {
  id: string;
  secret: string;
}

/** Splits a bearer token into its public id and its secret; null when it is not a Baton token. */
export function parseApiToken(text: string): ParsedApiToken | null {
  const m = TOKEN_PATTERN.exec(text);
  return m?.[1] && m[2] ? { id: m[1], secret: m[2] } : null;
}

/**
 * Creates an API token for `username`, stores only the sha256 of its secret and returns the
 * token text, which cannot be recovered later.
 *
 * @throws NotFoundError when the user does not exist; InvalidInputError when the user is
 * disabled, `role` is above the user's role, or `name`/`expiresInDays` is invalid.
 * @example
 * const { token } = await createApiToken(store, "alice", "ci", "user", 90, Date.now());
 * // token: "baton_3f9c0a1b2c3d_…"; send it as `Authorization: Bearer <token>`
 */
export async function createApiToken(
  auth: AuthStore,
  username: string,
  name: string,
  role: Role,
  expiresInDays: number | null,
  now: EpochMs,
): Promise<{ record: ApiTokenRecord; token: string }> {
  const user = await auth.getUser(username);
  if (!user) throw new NotFoundError(`User "${username}" does not exist`);
  if (user.disabled) throw new InvalidInputError(`User "${username}" is disabled`);
  if (!roleAtLeast(user.role, role)) {
    throw new InvalidInputError(`role: a token cannot have role "${role}" above its user's role "${user.role}"`);
  }
  if (name.trim() === "" || name.length > 100) throw new InvalidInputError("name: must be 1 to 100 characters");
  if (expiresInDays !== null && !(Number.isInteger(expiresInDays) && expiresInDays >= 1 && expiresInDays <= MAX_TOKEN_DAYS)) {
    throw new InvalidInputError(`expiresInDays: must be a whole number from 1 to ${MAX_TOKEN_DAYS}, or null`);
  }
  const id = randomBytes(6).toString("hex");
  const secret = randomSecret(32);
  const record: ApiTokenRecord = {
    id,
    username,
    name,
    role,
    secretHash: sha256Hex(secret),
    createdAt: now,
    expiresAt: expiresInDays === null ? null : now + expiresInDays * DAY_MS,
    lastUsedAt: null,
  };
  await auth.createToken(record);
  return { record, token: `baton_${id}_${secret}` };
}
