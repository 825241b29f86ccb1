import type { EpochMs } from "../model/records.js";

/** A connection as stored: everything but the id and type is in `encrypted` (see src/secrets). */
export interface StoredConnection {
  id: string;
  type: string;
  /** Ciphertext of the connection's JSON (host, port, login, password, schema, extra). */
  encrypted: string;
  description: string;
  updatedAt: EpochMs;
}

/** A variable as stored: the value only as ciphertext. */
export interface StoredVariable {
  key: string;
  encrypted: string;
  description: string;
  updatedAt: EpochMs;
}

/**
 * Connections and variables at rest. The store never sees a plaintext secret: callers encrypt
 * before writing and decrypt after reading; only ids, types and descriptions are in clear.
 */
export interface SecretStore {
  /** Creates or replaces the connection with this id. */
  upsertConnection(connection: StoredConnection): Promise<void>;
  getConnection(id: string): Promise<StoredConnection | undefined>;
  /** Every connection, by id. */
  listConnections(): Promise<StoredConnection[]>;
  /** Returns false when there was no such connection. */
  deleteConnection(id: string): Promise<boolean>;

  /** Creates or replaces the variable with this key. */
  upsertVariable(variable: StoredVariable): Promise<void>;
  getVariable(key: string): Promise<StoredVariable | undefined>;
  /** Every variable, by key. */
  listVariables(): Promise<StoredVariable[]>;
  /** Returns false when there was no such variable. */
  deleteVariable(key: string): Promise<boolean>;
}
