import { ConflictError, InvalidInputError, NotFoundError } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import { parseConnectionUri } from "../../core/secrets/connection-uri.js";
import { connectionEnvName, variableEnvName } from "../../core/secrets/env-names.js";
import type { SecretsAdmin } from "../api-deps.js";

const CONN_PREFIX = "BATON_CONN_";
const VAR_PREFIX = "BATON_VAR_";

/** The collaborator, or 404 when this server was composed without one. */
export function requireSecretsAdmin(admin: SecretsAdmin | undefined): SecretsAdmin {
  if (admin === undefined) throw new NotFoundError("connections and variables are not available on this server (it has no secret store)");
  return admin;
}

/**
 * The connection `BATON_CONN_<ID>` defines, as tasks get it (a non-empty value wins over the
 * store). A malformed URI is an error naming the variable, never its value.
 */
export function envConnection(env: SecretsAdmin["env"], id: string): Connection | undefined {
  const uri = env[connectionEnvName(id)];
  if (uri === undefined || uri === "") return undefined;
  return parseConnectionUri(id, uri);
}

/** The value of `BATON_VAR_<KEY>` (even empty, as the resolver reads it). */
export function envVariable(env: SecretsAdmin["env"], key: string): string | undefined {
  return env[variableEnvName(key)];
}

/**
 * Names defined only by the environment (no stored entry maps to the variable): the suffix in
 * lower case, the best guess at the id (`BATON_CONN_MY_DB` → `my_db`).
 */
export function envOnlyNames(env: SecretsAdmin["env"], kind: "connection" | "variable", stored: readonly string[]): string[] {
  const prefix = kind === "connection" ? CONN_PREFIX : VAR_PREFIX;
  const toEnv = kind === "connection" ? connectionEnvName : variableEnvName;
  const taken = new Set(stored.map(toEnv));
  const names: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(prefix) || value === undefined || taken.has(name)) continue;
    if (kind === "connection" && value === "") continue;
    const id = name.slice(prefix.length).toLowerCase();
    if (id !== "") names.push(id);
  }
  return names.sort();
}

/** 409 for a write to a name the environment defines: the store copy would be shadowed. */
export function refuseEnvDefined(kind: "connection" | "variable", name: string, envVar: string): never {
  throw new ConflictError(
    `${kind} "${name}" is defined by the environment variable ${envVar}, which overrides the store; it is read-only through the API. ` +
      `Change or unset ${envVar} where Baton runs, then restart it`,
  );
}

/** Re-raises a URI error under the `uri` field (its message names the connection, never the URI). */
export function parseUriField(id: string, uri: string): Connection {
  try {
    return parseConnectionUri(id, uri);
  } catch (e) {
    if (e instanceof InvalidInputError) throw new InvalidInputError(`uri: ${e.message}`, { cause: e });
    throw e;
  }
}
