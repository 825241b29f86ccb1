import type { Connection } from "../model/connection.js";

/**
 * Looks up connections and variables for tasks and the server: the environment first
 * (`BATON_CONN_<ID>` as a URI, `BATON_VAR_<KEY>`), then the store (decrypted). Throws
 * NotFoundError naming the id when neither has it.
 */
export interface SecretsResolver {
  connection(id: string): Promise<Connection>;
  variable(key: string): Promise<string>;
}
