import type { FastifyInstance, FastifyReply } from "fastify";
import { noteAudit } from "../audit/audit-note.js";
import { rejectInvalidInput, sendError } from "./api-errors.js";
import type { AuthContext } from "./authenticate.js";
import { loginSchema, logoutSchema, meSchema, type LoginBody } from "./auth-schemas.js";
import { dummyPasswordHash, verifyPassword } from "./password-hash.js";
import { sha256Hex } from "./secrets.js";
import { clearSessionCookie, secureCookieFor, SESSION_COOKIE, startSession } from "./session-cookie.js";

const BAD_LOGIN = "invalid username or password";

function tooManyFailures(reply: FastifyReply, waitMs: number): FastifyReply {
  const seconds = Math.ceil(waitMs / 1000);
  reply.header("retry-after", String(seconds));
  return sendError(reply, "too_many_requests", `too many failed logins; try again in ${seconds} s`);
}

/** POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/me. */
export function registerSessionRoutes(app: FastifyInstance, ctx: AuthContext): void {
  app.post<{ Body: LoginBody }>(
    "/api/v1/auth/login",
    { schema: loginSchema, config: { role: "public", audit: "login.success" }, attachValidation: true, preHandler: rejectInvalidInput },
    async (request, reply) => {
      const { username, password } = request.body;
      // request.ip is the socket's peer, or the client a trusted proxy names (BATON_TRUST_PROXY).
      const address = request.ip;
      // Audited as the name typed (unverified on failure); never the password.
      const failed = (reason: string) =>
        noteAudit(request, {
          action: "login.failure",
          actor: { name: username, via: "login", tokenId: null },
          target: { type: "user", id: username },
          details: { reason },
          evenOnError: true,
        });
      // A locked account or address is refused before any password check (and its scrypt).
      const waitMs = ctx.throttle.retryAfterMs(username, address);
      if (waitMs > 0) {
        request.log.warn({ username, address, retryAfterMs: waitMs }, "login refused: too many failed logins");
        failed("too many failed logins");
        return tooManyFailures(reply, waitMs);
      }
      const user = await ctx.auth.getUser(username);
      // Unknown users cost a full scrypt too, and every failure reads the same: no enumeration.
      const passwordOk = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
      if (!user || !passwordOk || user.disabled) {
        const counts = ctx.throttle.recordFailure(username, address);
        request.log.warn(
          {
            username,
            address,
            peer: request.socket.remoteAddress,
            accountFailures: counts.accountFailures,
            addressFailures: counts.addressFailures,
            failedLogins: counts.totalFailures,
            lockedForMs: counts.lockedForMs,
          },
          "login failed",
        );
        failed(!user ? "unknown user" : user.disabled ? "user disabled" : "wrong password");
        return sendError(reply, "unauthorized", BAD_LOGIN);
      }
      ctx.throttle.recordSuccess(username);
      const now = ctx.now();
      await ctx.auth.deleteExpiredSessions(now);
      // A fresh session id on every login (no fixation); the one this browser had ends here.
      const previous = request.cookies[SESSION_COOKIE];
      if (previous) await ctx.auth.deleteSession(sha256Hex(previous));
      const session = await startSession(ctx.auth, reply, user.username, now, ctx.sessionTtlMs, secureCookieFor(ctx.secureCookies, request));
      request.log.info({ username: user.username }, "logged in");
      noteAudit(request, {
        actor: { name: user.username, via: "login", tokenId: null },
        target: { type: "user", id: user.username },
        after: { role: user.role },
      });
      return reply.header("cache-control", "no-store").send({ user: { username: user.username, role: user.role }, csrfToken: session.csrfToken });
    },
  );

  app.post("/api/v1/auth/logout", { schema: logoutSchema, config: { role: "viewer", audit: "logout" } }, async (request, reply) => {
    const cookie = request.cookies[SESSION_COOKIE];
    if (request.principal?.via === "session" && cookie) await ctx.auth.deleteSession(sha256Hex(cookie));
    clearSessionCookie(reply, secureCookieFor(ctx.secureCookies, request));
    return reply.code(204).send();
  });

  app.get("/api/v1/auth/me", { schema: meSchema, config: { role: "viewer" } }, async (request, reply) => {
    const p = request.principal;
    if (!p) return sendError(reply, "unauthorized", "not authenticated");
    return reply
      .header("cache-control", "no-store")
      .send({ username: p.username, role: p.role, authRequired: ctx.mode === "required", csrfToken: p.via === "session" ? p.csrfToken : null });
  });
}
