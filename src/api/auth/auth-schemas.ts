import { ROLES, type Role } from "../../core/model/records.js";
import { errorSchema } from "./api-errors.js";
import { MAX_TOKEN_DAYS } from "./api-token.js";

/** Security requirement naming the schemes src/api/openapi.ts declares (`bearer`, `cookie`). */
export const SECURED: ReadonlyArray<Record<string, readonly string[]>> = [{ bearer: [] }, { cookie: [] }];

const role = { type: "string", enum: [...ROLES] } as const;
const time = { type: "string", format: "date-time" } as const;
const nullableTime = { type: ["string", "null"], format: "date-time" } as const;
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema } as const;

export const USERNAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$";
const password = { type: "string", minLength: 8, maxLength: 1024 } as const;

export interface LoginBody {
  username: string;
  password: string;
}
export interface CreateTokenBody {
  name: string;
  role?: Role;
  expiresInDays?: number | null;
}
export interface CreateUserBody {
  username: string;
  password: string;
  role: Role;
}
export interface PatchUserBody {
  role?: Role;
  password?: string;
  disabled?: boolean;
}

const user = {
  type: "object",
  properties: { username: { type: "string" }, role, disabled: { type: "boolean" }, createdAt: time },
  required: ["username", "role", "disabled", "createdAt"],
} as const;

const tokenSummary = {
  type: "object",
  properties: { id: { type: "string" }, name: { type: "string" }, role, createdAt: time, expiresAt: nullableTime, lastUsedAt: nullableTime },
  required: ["id", "name", "role", "createdAt", "expiresAt", "lastUsedAt"],
} as const;

const usernameParams = {
  type: "object",
  properties: { username: { type: "string", minLength: 1, maxLength: 64 } },
  required: ["username"],
} as const;

export const loginSchema = {
  tags: ["auth"],
  summary: "Log in: sets the baton_session cookie and returns the CSRF token",
  security: [],
  body: {
    type: "object",
    properties: { username: { type: "string", minLength: 1, maxLength: 64 }, password: { type: "string", minLength: 1, maxLength: 1024 } },
    required: ["username", "password"],
    additionalProperties: false,
  },
  response: {
    200: {
      type: "object",
      properties: {
        user: { type: "object", properties: { username: { type: "string" }, role }, required: ["username", "role"] },
        csrfToken: { type: "string" },
      },
      required: ["user", "csrfToken"],
    },
    ...errors,
    429: { ...errorSchema, description: "Too many failed logins for this account or address; see the Retry-After header (seconds)" },
  },
} as const;

export const logoutSchema = {
  tags: ["auth"],
  summary: "Log out: ends the session and clears the cookie",
  security: SECURED,
  response: { 204: { type: "null" }, ...errors },
} as const;

export const meSchema = {
  tags: ["auth"],
  summary: "Who the request acts as",
  security: SECURED,
  response: {
    200: {
      type: "object",
      properties: { username: { type: "string" }, role, authRequired: { type: "boolean" }, csrfToken: { type: ["string", "null"] } },
      required: ["username", "role", "authRequired", "csrfToken"],
    },
    ...errors,
  },
} as const;

export const listTokensSchema = {
  tags: ["auth"],
  summary: "API tokens: your own (admin: all)",
  security: SECURED,
  response: {
    200: { type: "object", properties: { tokens: { type: "array", items: tokenSummary } }, required: ["tokens"] },
    ...errors,
  },
} as const;

export const createTokenSchema = {
  tags: ["auth"],
  summary: "Create an API token (the token text is shown only in this response)",
  security: SECURED,
  body: {
    type: "object",
    properties: {
      name: { type: "string", minLength: 1, maxLength: 100 },
      role,
      expiresInDays: { type: ["integer", "null"], minimum: 1, maximum: MAX_TOKEN_DAYS },
    },
    required: ["name"],
    additionalProperties: false,
  },
  response: {
    201: {
      type: "object",
      properties: { id: { type: "string" }, name: { type: "string" }, role, token: { type: "string" }, createdAt: time, expiresAt: nullableTime },
      required: ["id", "name", "role", "token", "createdAt", "expiresAt"],
    },
    ...errors,
  },
} as const;

export const deleteTokenSchema = {
  tags: ["auth"],
  summary: "Revoke an API token (your own; admin: any)",
  security: SECURED,
  params: { type: "object", properties: { id: { type: "string", minLength: 1, maxLength: 64 } }, required: ["id"] },
  response: { 204: { type: "null" }, ...errors },
} as const;

export const listUsersSchema = {
  tags: ["auth"],
  summary: "List users",
  security: SECURED,
  response: {
    200: { type: "object", properties: { users: { type: "array", items: user } }, required: ["users"] },
    ...errors,
  },
} as const;

export const createUserSchema = {
  tags: ["auth"],
  summary: "Create a user",
  security: SECURED,
  body: {
    type: "object",
    properties: { username: { type: "string", pattern: USERNAME_PATTERN }, password, role },
    required: ["username", "password", "role"],
    additionalProperties: false,
  },
  response: { 201: user, ...errors },
} as const;

export const patchUserSchema = {
  tags: ["auth"],
  summary: "Change a user's role, password or disabled flag",
  security: SECURED,
  params: usernameParams,
  body: {
    type: "object",
    properties: { role, password, disabled: { type: "boolean" } },
    additionalProperties: false,
  },
  response: { 200: user, ...errors },
} as const;

export const deleteUserSchema = {
  tags: ["auth"],
  summary: "Delete a user with their tokens and sessions",
  security: SECURED,
  params: usernameParams,
  response: { 204: { type: "null" }, ...errors },
} as const;
