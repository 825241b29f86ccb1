import { NotFoundError } from "../core/errors.js";
import type { Connection } from "../core/model/connection.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import { parseConnectionUri } from "../core/secrets/connection-uri.js";
import { connectionEnvName, variableEnvName } from "../core/secrets/env-names.js";
import type { SecretVault } from "./secret-vault.js";

/**
 * Connections and variables for tasks: the environment first (`BATON_CONN_<ID>` holding a URI,
 * `BATON_VAR_<KEY>`; see config's `secretEnv`), then the store, decrypted. `vault` may be null
 * (no store at hand: only the environment is searched) or a function that opens the store on
 * the first lookup the environment does not answer.
 */
export class EnvThenStoreSecretsResolver implements SecretsResolver {
  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly vault: SecretVault | null | (() => Promise<SecretVault>),
  ) {}

  async #vault(): Promise<SecretVault | null> {
    return typeof this.vault === "function" ? this.vault() : this.vault;
  }

  async connection(id: string): Promise<Connection> {
    const name = connectionEnvName(id);
    const uri = this.env[name];
    if (uri !== undefined && uri !== "") return parseConnectionUri(id, uri);
    const entry = await (await this.#vault())?.getConnection(id);
    if (entry !== undefined) return entry.connection;
    throw new NotFoundError(`connection "${id}" not found: looked in the environment variable ${name} and ${this.#storeText("connections add")}`);
  }

  async variable(key: string): Promise<string> {
    const name = variableEnvName(key);
    const value = this.env[name];
    if (value !== undefined) return value;
    const entry = await (await this.#vault())?.getVariable(key);
    if (entry !== undefined) return entry.value;
    throw new NotFoundError(`variable "${key}" not found: looked in the environment variable ${name} and ${this.#storeText("variables set")}`);
  }

  #storeText(command: string): string {
    return this.vault === null ? "nowhere else (no store)" : `the store (\`baton ${command}\`)`;
  }
}
