import { InvalidInputError } from "../core/errors.js";
import type { Connection } from "../core/model/connection.js";
import type { EpochMs } from "../core/model/records.js";
import type { SecretStore } from "../core/ports/secret-store.js";
import { normalizeExtra } from "../core/secrets/connection-uri.js";
import type { SecretCipher } from "./secret-cipher.js";

export interface ConnectionEntry {
  connection: Connection;
  description: string;
  updatedAt: EpochMs;
}

export interface VariableEntry {
  key: string;
  value: string;
  description: string;
  updatedAt: EpochMs;
}

/** What is encrypted for a connection: all but the id and the type. */
interface SealedConnection {
  host: string | null;
  port: number | null;
  login: string | null;
  password: string | null;
  schema: string | null;
  extra: Record<string, string>;
}

const ID = /^[A-Za-z0-9_.-]{1,250}$/;

/** Checks a connection id or variable key: letters, digits, `_`, `.` and `-`, 1–250 characters. */
export function checkSecretName(name: string, what: "connection id" | "variable key"): void {
  if (!ID.test(name)) throw new InvalidInputError(`${what} "${name}" may only use letters, digits, _ . - (1–250 characters)`);
}

/**
 * Connections and variables in the store, encrypted on the way in and decrypted on the way out.
 * The ciphertext is bound to its id/key, so a value copied onto another row does not decrypt.
 */
export class SecretVault {
  constructor(
    private readonly store: SecretStore,
    private readonly cipher: SecretCipher,
    private readonly now: () => EpochMs = Date.now,
  ) {}

  async putConnection(connection: Connection, description = ""): Promise<void> {
    checkSecretName(connection.id, "connection id");
    const sealed: SealedConnection = {
      host: connection.host,
      port: connection.port,
      login: connection.login,
      password: connection.password,
      schema: connection.schema,
      extra: connection.extra,
    };
    const encrypted = this.cipher.encrypt(JSON.stringify(sealed), connectionContext(connection.id));
    await this.store.upsertConnection({ id: connection.id, type: connection.type, encrypted, description, updatedAt: this.now() });
  }

  async getConnection(id: string): Promise<ConnectionEntry | undefined> {
    const row = await this.store.getConnection(id);
    if (row === undefined) return undefined;
    const sealed = JSON.parse(this.cipher.decrypt(row.encrypted, connectionContext(id), `connection "${id}"`)) as SealedConnection;
    const connection: Connection = {
      id,
      type: row.type,
      host: sealed.host ?? null,
      port: sealed.port ?? null,
      login: sealed.login ?? null,
      password: sealed.password ?? null,
      schema: sealed.schema ?? null,
      extra: normalizeExtra(sealed.extra ?? {}),
    };
    return { connection, description: row.description, updatedAt: row.updatedAt };
  }

  async listConnections(): Promise<ConnectionEntry[]> {
    const rows = await this.store.listConnections();
    const entries: ConnectionEntry[] = [];
    for (const row of rows) {
      const entry = await this.getConnection(row.id);
      if (entry !== undefined) entries.push(entry);
    }
    return entries;
  }

  deleteConnection(id: string): Promise<boolean> {
    return this.store.deleteConnection(id);
  }

  async putVariable(key: string, value: string, description = ""): Promise<void> {
    checkSecretName(key, "variable key");
    const encrypted = this.cipher.encrypt(value, variableContext(key));
    await this.store.upsertVariable({ key, encrypted, description, updatedAt: this.now() });
  }

  async getVariable(key: string): Promise<VariableEntry | undefined> {
    const row = await this.store.getVariable(key);
    if (row === undefined) return undefined;
    const value = this.cipher.decrypt(row.encrypted, variableContext(key), `variable "${key}"`);
    return { key, value, description: row.description, updatedAt: row.updatedAt };
  }

  async listVariables(): Promise<VariableEntry[]> {
    return (await this.store.listVariables()).map((row) => ({
      key: row.key,
      value: this.cipher.decrypt(row.encrypted, variableContext(row.key), `variable "${row.key}"`),
      description: row.description,
      updatedAt: row.updatedAt,
    }));
  }

  deleteVariable(key: string): Promise<boolean> {
    return this.store.deleteVariable(key);
  }
}

const connectionContext = (id: string) => `baton.connection:${id}`;
const variableContext = (key: string) => `baton.variable:${key}`;
