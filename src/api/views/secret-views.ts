import type { Connection } from "../../core/model/connection.js";
import { connectionEnvName, variableEnvName } from "../../core/secrets/env-names.js";
import { isSensitiveKey, MASK } from "../../core/secrets/sensitive-keys.js";
import { iso } from "./iso.js";

export type SecretSource = "store" | "env";

export interface EntryMeta {
  description: string;
  updatedAt: number | null;
  source: SecretSource;
}

/**
 * A connection as the API shows it: the password only as `hasPassword`, sensitive extras as
 * `***`. Built field by field, so nothing secret can ride along on a spread.
 */
export function connectionView(c: Connection, meta: EntryMeta) {
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.extra)) extra[k] = isSensitiveKey(k) ? MASK : v;
  return {
    id: c.id,
    type: c.type,
    host: c.host,
    port: c.port,
    login: c.login,
    hasPassword: c.password !== null && c.password !== "",
    schema: c.schema,
    extra,
    description: meta.description,
    updatedAt: iso(meta.updatedAt),
    source: meta.source,
    envVar: connectionEnvName(c.id),
    readOnly: meta.source === "env",
  };
}

/** A variable as the API shows it: a sensitive one's value is `***`. */
export function variableView(key: string, value: string, meta: EntryMeta) {
  const sensitive = isSensitiveKey(key);
  return {
    key,
    value: sensitive ? MASK : value,
    sensitive,
    description: meta.description,
    updatedAt: iso(meta.updatedAt),
    source: meta.source,
    envVar: variableEnvName(key),
    readOnly: meta.source === "env",
  };
}
