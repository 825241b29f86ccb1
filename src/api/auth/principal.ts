import { ROLES, type Role } from "../../core/model/records.js";

/**
 * `local`: standalone on 127.0.0.1; requests without credentials act as the admin "local-admin".
 * Credentials, when sent, are still verified and their role applies.
 * `required`: every non-public route answers 401 without credentials.
 */
export type AuthMode = "local" | "required";

/** Who a request acts as; `request.principal` (null when unauthenticated). */
export interface Principal {
  username: string;
  role: Role;
  via: "session" | "token" | "local";
  /** The session's CSRF token (session principals only). */
  csrfToken: string | null;
  /** The API token's id (token principals only). */
  tokenId: string | null;
}

/** The minimum role a route needs, in its route options: `config: { role: "viewer" }`. */
export type RouteRole = "public" | Role;

export const LOCAL_ADMIN = "local-admin";

export const localPrincipal: Principal = Object.freeze({
  username: LOCAL_ADMIN,
  role: "admin",
  via: "local",
  csrfToken: null,
  tokenId: null,
});

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Minimum role; routes without it need "admin". */
    role?: RouteRole;
  }
}

/** viewer < user < op < admin. */
export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function roleAtLeast(role: Role, needed: Role): boolean {
  return roleRank(role) >= roleRank(needed);
}

/** The lower of two roles: a token never acts above its user. */
export function minRole(a: Role, b: Role): Role {
  return roleRank(a) <= roleRank(b) ? a : b;
}

export function isRouteRole(value: unknown): value is RouteRole {
  return value === "public" || (typeof value === "string" && (ROLES as readonly string[]).includes(value));
}
