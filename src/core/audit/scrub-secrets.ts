import { isSensitiveKey, MASK } from "../secrets/sensitive-keys.js";

/**
 * A copy of `value` where every object key that names a secret (password, token, secret,
 * api_key … see {@link isSensitiveKey}) has its value replaced by `***`, at any depth. The last
 * line of defence for audit before/after values; callers still pick the fields they record.
 *
 * @example
 * scrubSecrets({ conf: { region: "eu", apiToken: "abc" } }) // { conf: { region: "eu", apiToken: "***" } }
 */
export function scrubSecrets<T>(value: T, depth = 0): T {
  if (depth > 32 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => scrubSecrets(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSensitiveKey(k) && v !== null && v !== undefined && typeof v !== "boolean" ? MASK : scrubSecrets(v, depth + 1);
  }
  return out as T;
}
