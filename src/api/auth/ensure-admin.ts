import { randomBytes } from "node:crypto";
import type { EpochMs } from "../../core/model/records.js";
import type { AuthStore } from "../../core/ports/auth-store.js";
import { hashPassword } from "./password-hash.js";

export const FIRST_ADMIN = "admin";

/**
 * On first start (no enabled admin), creates user "admin" with a generated password and returns
 * it for the caller to print once; returns null when an enabled admin exists. When a user named
 * "admin" exists but is disabled or demoted, it is re-enabled as admin with a new password: with
 * no enabled admin nobody could manage users, so this is also the recovery path.
 *
 * @example
 * const first = await ensureAdmin(store, Date.now());
 * if (first) console.log(`Created ${first.username} with password ${first.password}`);
 */
export async function ensureAdmin(auth: AuthStore, now: EpochMs): Promise<{ username: string; password: string } | null> {
  const users = await auth.listUsers();
  if (users.some((u) => u.role === "admin" && !u.disabled)) return null;
  const password = randomBytes(24).toString("base64url");
  const passwordHash = await hashPassword(password);
  const created = await auth.createUser({ username: FIRST_ADMIN, role: "admin", passwordHash, disabled: false, createdAt: now });
  if (!created) await auth.updateUser(FIRST_ADMIN, { role: "admin", passwordHash, disabled: false });
  return { username: FIRST_ADMIN, password };
}
