import type { ApiTokenRecord, EpochMs, Role, SessionRecord, UserRecord } from "../model/records.js";

/** Users, API tokens and login sessions. */
export interface AuthStore {
  /** Returns false when the username is taken. */
  createUser(user: UserRecord): Promise<boolean>;
  getUser(username: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** Returns false when the user does not exist. */
  updateUser(username: string, patch: Partial<Pick<UserRecord, "role" | "passwordHash" | "disabled">>): Promise<boolean>;
  /** Also deletes the user's tokens and sessions. Returns false when the user does not exist. */
  deleteUser(username: string): Promise<boolean>;
  countUsersWithRole(role: Role): Promise<number>;

  createToken(token: ApiTokenRecord): Promise<void>;
  getToken(id: string): Promise<ApiTokenRecord | undefined>;
  listTokens(username?: string): Promise<ApiTokenRecord[]>;
  deleteToken(id: string): Promise<boolean>;
  touchToken(id: string, at: EpochMs): Promise<void>;

  createSession(session: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** Ends every session of `username` except `keepIdHash` (when given); returns how many ended. For password changes. */
  deleteUserSessions(username: string, keepIdHash?: string): Promise<number>;
  deleteExpiredSessions(now: EpochMs): Promise<void>;
}
