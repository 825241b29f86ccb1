import type { FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import { BatonError } from "../../core/errors.js";
import { sendError } from "./api-errors.js";
import { authenticate, type AuthContext } from "./authenticate.js";
import { isRouteRole, roleAtLeast, type RouteRole } from "./principal.js";
import { safeEqual } from "./secrets.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
export const CSRF_HEADER = "x-csrf-token";

/** A route's minimum role: its `config.role`, "admin" when unset; unmatched URLs (404) are public. */
function neededRole(request: FastifyRequest): RouteRole {
  if (request.is404) return "public";
  return request.routeOptions.config.role ?? "admin";
}

/** onRoute: a misspelt `config.role` fails at startup instead of silently meaning "admin". */
export function checkRouteRole(route: RouteOptions): void {
  const role: unknown = route.config?.role;
  if (role !== undefined && !isRouteRole(role)) {
    throw new BatonError(`Route ${String(route.method)} ${route.url}: config.role "${String(role)}" is not one of public, viewer, user, op, admin`);
  }
}

/** onRequest: authenticates, then enforces the route's role and, for cookie sessions, CSRF. */
export function authHook(ctx: AuthContext) {
  return async function authorize(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const needed = neededRole(request);
    const safe = SAFE_METHODS.has(request.method);
    const result = await authenticate(ctx, request, reply, safe);
    request.principal = result.principal;
    if (needed === "public") return undefined;
    if (!result.principal) return sendError(reply, result.failure.code, result.failure.message);

    const p = result.principal;
    if (!roleAtLeast(p.role, needed)) {
      return sendError(reply, "forbidden", `role ${p.role} cannot ${request.method} ${request.routeOptions.url ?? request.url}; needs ${needed}`);
    }
    if (p.via === "session" && !safe) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== "string" || p.csrfToken === null || !safeEqual(sent, p.csrfToken)) {
        return sendError(
          reply,
          "forbidden",
          `missing or wrong CSRF token: send the ${CSRF_HEADER} header with the csrfToken from login or GET /api/v1/auth/me`,
        );
      }
    }
    return undefined;
  };
}
