import fastifyCookie from "@fastify/cookie";
import type { FastifyInstance } from "fastify";
import type { EpochMs } from "../../core/model/records.js";
import type { AuthStore } from "../../core/ports/auth-store.js";
import { authHook, checkRouteRole } from "./auth-hook.js";
import { registerSessionRoutes } from "./auth-routes.js";
import type { AuthContext } from "./authenticate.js";
import { DEFAULT_THROTTLE_LIMITS, LoginThrottle, type ThrottleLimits } from "./login-throttle.js";
import type { AuthMode } from "./principal.js";
import { DEFAULT_SESSION_TTL_MS } from "./session-cookie.js";
import { registerTokenRoutes } from "./token-routes.js";
import { registerUserRoutes } from "./user-routes.js";

export interface AuthOptions {
  auth: AuthStore;
  mode: AuthMode;
  now?: () => EpochMs;
  /** Absolute lifetime of a login session; default 12 h. */
  sessionTtlMs?: number;
  /**
   * Mark the session cookie `Secure`: true, false, or "auto" (the default) when the request came over
   * HTTPS, including `X-Forwarded-Proto: https` from a proxy the Fastify instance trusts (`trustProxy`).
   */
  secureCookies?: boolean | "auto";
  /** Login throttling (docs/security.md); default 5 failures per account and 20 per address in 15 min. */
  loginLimits?: Partial<ThrottleLimits>;
}

/**
 * Adds authentication and role checks to `app` and registers the auth and user routes. Call it on
 * the root instance before registering other routes. Registers @fastify/cookie unless present.
 *
 * Every route declares its minimum role, `config: { role: "public" | "viewer" | "user" | "op" | "admin" }`;
 * without one a route needs "admin". Handlers read `request.principal`.
 *
 * @example
 * const app = Fastify({ logger: { redact: AUTH_LOG_REDACT } });
 * await registerAuth(app, { auth: store, mode: "required" });
 * app.get("/api/v1/dags", { config: { role: "viewer" } }, async (req) => listDags(req.principal));
 */
export async function registerAuth(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  const ctx: AuthContext = {
    auth: opts.auth,
    mode: opts.mode,
    now,
    sessionTtlMs: opts.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    secureCookies: opts.secureCookies ?? "auto",
    throttle: new LoginThrottle(now, { ...DEFAULT_THROTTLE_LIMITS, ...opts.loginLimits }),
  };
  if (!app.hasRequestDecorator("cookies")) await app.register(fastifyCookie);
  app.decorateRequest("principal", null);
  app.addHook("onRoute", checkRouteRole);
  app.addHook("onRequest", authHook(ctx));
  registerSessionRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  registerUserRoutes(app, ctx);
}
