import type { CookieSerializeOptions } from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { EpochMs, SessionRecord } from "../../core/model/records.js";
import type { AuthStore } from "../../core/ports/auth-store.js";
import { randomSecret, sha256Hex } from "./secrets.js";

export const SESSION_COOKIE = "baton_session";
export const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;

/**
 * Whether the session cookie gets `Secure`: `true`/`false` as configured, or with "auto" when the
 * request came over HTTPS — directly, or per `X-Forwarded-Proto` from a proxy Fastify trusts
 * (`trustProxy`, BATON_TRUST_PROXY); an untrusted client's header does not count.
 */
export function secureCookieFor(setting: boolean | "auto", request: FastifyRequest): boolean {
  return setting === "auto" ? request.protocol === "https" : setting;
}

function cookieOptions(secure: boolean): CookieSerializeOptions {
  return { httpOnly: true, sameSite: "strict", path: "/", secure };
}

/**
 * Starts a login session: the cookie carries 32 random bytes; the store keeps only their sha256,
 * so a leaked database does not yield usable sessions. Expiry is absolute (no sliding).
 */
export async function startSession(
  auth: AuthStore,
  reply: FastifyReply,
  username: string,
  now: EpochMs,
  ttlMs: number,
  secure: boolean,
): Promise<SessionRecord> {
  const cookieValue = randomSecret(32);
  const session: SessionRecord = {
    idHash: sha256Hex(cookieValue),
    username,
    csrfToken: randomSecret(32),
    createdAt: now,
    expiresAt: now + ttlMs,
  };
  await auth.createSession(session);
  reply.setCookie(SESSION_COOKIE, cookieValue, { ...cookieOptions(secure), maxAge: Math.floor(ttlMs / 1000) });
  return session;
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(secure));
}
