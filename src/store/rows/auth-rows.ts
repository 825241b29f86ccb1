import type { Selectable } from "kysely";
import type { ApiTokenRecord, Role, SessionRecord, UserRecord } from "../../core/model/records.js";
import type { ApiTokensTable, SessionsTable, UsersTable } from "../schema/database.js";
import { fromBool, toBool } from "./json-column.js";

export function toUserRecord(row: Selectable<UsersTable>): UserRecord {
  return {
    username: row.username,
    role: row.role as Role,
    passwordHash: row.password_hash,
    disabled: toBool(row.disabled),
    createdAt: row.created_at,
  };
}

export function toUserRow(user: UserRecord): UsersTable {
  return {
    username: user.username,
    role: user.role,
    password_hash: user.passwordHash,
    disabled: fromBool(user.disabled),
    created_at: user.createdAt,
  };
}

export function toApiTokenRecord(row: Selectable<ApiTokensTable>): ApiTokenRecord {
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    role: row.role as Role,
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  };
}

export function toApiTokenRow(token: ApiTokenRecord): ApiTokensTable {
  return {
    id: token.id,
    username: token.username,
    name: token.name,
    role: token.role,
    secret_hash: token.secretHash,
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    last_used_at: token.lastUsedAt,
  };
}

export function toSessionRecord(row: Selectable<SessionsTable>): SessionRecord {
  return {
    idHash: row.id_hash,
    username: row.username,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function toSessionRow(session: SessionRecord): SessionsTable {
  return {
    id_hash: session.idHash,
    username: session.username,
    csrf_token: session.csrfToken,
    created_at: session.createdAt,
    expires_at: session.expiresAt,
  };
}
