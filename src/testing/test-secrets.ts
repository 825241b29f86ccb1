import { NotFoundError } from "../core/errors.js";
import type { Connection } from "../core/model/connection.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import { parseConnectionUri } from "../core/secrets/connection-uri.js";

/**
 * `ctx.connection()` and `ctx.variable()` under test: the connections (URIs in Airflow's format,
 * or Connection objects) and variables the test gives, nothing else (no environment, no store).
 */
export function testSecrets(
  connections: Readonly<Record<string, string | Omit<Connection, "id">>>,
  variables: Readonly<Record<string, string>>,
): SecretsResolver {
  const list = (keys: string[]) => (keys.length === 0 ? "none" : keys.map((k) => `"${k}"`).join(", "));
  return {
    async connection(id) {
      const c = connections[id];
      if (c === undefined) throw new NotFoundError(`testDag: no connection "${id}" (options.connections has ${list(Object.keys(connections))})`);
      return typeof c === "string" ? parseConnectionUri(id, c) : { ...c, id };
    },
    async variable(key) {
      const v = variables[key];
      if (v === undefined) throw new NotFoundError(`testDag: no variable "${key}" (options.variables has ${list(Object.keys(variables))})`);
      return v;
    },
  };
}
