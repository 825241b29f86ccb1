import type { FastifyReply, FastifyRequest } from "fastify";
import type { EpochMs } from "../../core/model/records.js";
import type { AuthStore } from "../../core/ports/auth-store.js";
import type { ApiErrorCode } from "./api-errors.js";
import { parseApiToken } from "./api-token.js";
import type { LoginThrottle } from "./login-throttle.js";
import { checkLocalRequest } from "./local-origin.js";
import { localPrincipal, minRole, type AuthMode, type Principal } from "./principal.js";
import { safeEqual, sha256Hex } from "./secrets.js";
import { clearSessionCookie, secureCookieFor, SESSION_COOKIE } from "./session-cookie.js";

export interface AuthContext {
  auth: AuthStore;
  mode: AuthMode;
  now: () => EpochMs;
  sessionTtlMs: number;
  /** The session cookie's `Secure`: always, never, or "auto" (when the request came over HTTPS). */
  secureCookies: boolean | "auto";
  /** Failed-login counters and lock-outs for POST /api/v1/auth/login. */
  throttle: LoginThrottle;
}

export type Authentication = { principal: Principal; failure?: undefined } | { principal: null; failure: { code: ApiErrorCode; message: string } };

/** `lastUsedAt` is written at most this often per token. */
const TOUCH_INTERVAL_MS = 60_000;

const NO_CREDENTIALS = 'authentication required: send "Authorization: Bearer <token>" or log in with POST /api/v1/auth/login';

function fail(code: ApiErrorCode, message: string): Authentication {
  return { principal: null, failure: { code, message } };
}

/**
 * Who the request acts as. A bearer token wins over a cookie; an invalid token is a failure (it
 * was sent on purpose), while a stale or unknown session cookie is cleared and ignored (browsers
 * send it on their own). Without credentials: the local admin in local mode, else a failure.
 */
export async function authenticate(ctx: AuthContext, request: FastifyRequest, reply: FastifyReply, safeMethod: boolean): Promise<Authentication> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) return authenticateToken(ctx, request, authorization);

  const cookie = request.cookies?.[SESSION_COOKIE];
  let staleCookie = false;
  if (cookie) {
    const principal = await authenticateSession(ctx, cookie);
    if (principal) return { principal };
    clearSessionCookie(reply, secureCookieFor(ctx.secureCookies, request));
    staleCookie = true;
  }

  if (ctx.mode === "required") {
    return fail("unauthorized", staleCookie ? "session expired or invalid; log in again" : NO_CREDENTIALS);
  }
  switch (checkLocalRequest(request, safeMethod)) {
    case "ok":
      return { principal: localPrincipal };
    case "remote_peer":
      return fail("unauthorized", `${NO_CREDENTIALS} (anonymous local access is allowed only from this machine, over loopback)`);
    case "bad_host":
      return fail("unauthorized", `${NO_CREDENTIALS} (anonymous local access is only allowed through localhost, 127.0.0.1 or [::1])`);
    case "cross_origin":
      return fail("forbidden", "cross-origin request without credentials refused (CSRF protection); log in and send the x-csrf-token header");
  }
}

async function authenticateToken(ctx: AuthContext, request: FastifyRequest, authorization: string): Promise<Authentication> {
  const bearer = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
  if (!bearer) return fail("unauthorized", 'the Authorization header must be "Bearer <token>"');
  const parsed = parseApiToken(bearer);
  const record = parsed ? await ctx.auth.getToken(parsed.id) : undefined;
  if (!parsed || !record || !safeEqual(sha256Hex(parsed.secret), record.secretHash)) {
    return fail("unauthorized", "invalid API token");
  }
  const now = ctx.now();
  if (record.expiresAt !== null && record.expiresAt <= now) return fail("unauthorized", `API token ${record.id} has expired`);
  const user = await ctx.auth.getUser(record.username);
  if (!user || user.disabled) return fail("unauthorized", `API token ${record.id} belongs to a disabled or deleted user`);
  if (record.lastUsedAt === null || now - record.lastUsedAt >= TOUCH_INTERVAL_MS) {
    try {
      await ctx.auth.touchToken(record.id, now);
    } catch (e) {
      request.log.warn({ tokenId: record.id, err: e }, "could not record API token use");
    }
  }
  return {
    principal: { username: user.username, role: minRole(record.role, user.role), via: "token", csrfToken: null, tokenId: record.id },
  };
}

async function authenticateSession(ctx: AuthContext, cookie: string): Promise<Principal | null> {
  const idHash = sha256Hex(cookie);
  const session = await ctx.auth.getSession(idHash);
  if (!session) return null;
  const user = session.expiresAt > ctx.now() ? await ctx.auth.getUser(session.username) : undefined;
  if (!user || user.disabled) {
    await ctx.auth.deleteSession(idHash);
    return null;
  }
  return { username: user.username, role: user.role, via: "session", csrfToken: session.csrfToken, tokenId: null };
}
