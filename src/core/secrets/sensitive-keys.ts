import type { Connection } from "../model/connection.js";

/** Airflow's default sensitive field names; a key containing one (case-insensitive) is secret. */
export const SENSITIVE_KEY_PARTS: readonly string[] = [
  "access_token",
  "api_key",
  "apikey",
  "authorization",
  "connection_string",
  "credentials",
  "keyfile_dict",
  "passphrase",
  "passwd",
  "password",
  "private_key",
  "secret",
  "service_account",
  "token",
];

/**
 * True when a variable or extra key names a secret: it contains one of
 * {@link SENSITIVE_KEY_PARTS}, ignoring case and treating `-` as `_` (`API-Key` is sensitive).
 */
export function isSensitiveKey(key: string): boolean {
  const k = key.toLowerCase().replaceAll("-", "_");
  return SENSITIVE_KEY_PARTS.some((part) => k.includes(part));
}

/** The values of a connection that must never be shown: its password and its sensitive extras. */
export function secretValuesOf(connection: Connection): string[] {
  const values: string[] = [];
  if (connection.password !== null && connection.password !== "") values.push(connection.password);
  for (const [k, v] of Object.entries(connection.extra)) if (v !== "" && isSensitiveKey(k)) values.push(v);
  return values;
}

/** The connection with its password and sensitive extras replaced by `***` (for listing). */
export function redactConnection(connection: Connection): Connection {
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(connection.extra)) extra[k] = isSensitiveKey(k) ? MASK : v;
  return { ...connection, password: connection.password === null ? null : MASK, extra };
}

export const MASK = "***";
