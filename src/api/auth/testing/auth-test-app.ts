import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import type { Role } from "../../../core/model/records.js";
import type { AuthStore } from "../../../core/ports/auth-store.js";
import { openSqliteStore } from "../../../store/sqlite/open-sqlite-store.js";
import { AUTH_LOG_REDACT } from "../log-redact.js";
import { hashPassword } from "../password-hash.js";
import type { AuthMode } from "../principal.js";
import { registerAuth } from "../register-auth.js";
import { SESSION_COOKIE } from "../session-cookie.js";

export interface AuthTestApp {
  app: FastifyInstance;
  auth: AuthStore;
  /** Everything the server logged, one JSON line each. */
  log: string[];
  clock: { now: number };
  close(): Promise<void>;
}

/**
 * A Fastify app with the auth plugin over a fresh SQLite store, a movable clock, a logger that
 * also serializes request headers (the worst case for leaks) and probe routes:
 * GET /probe/viewer, POST /probe/user, POST /probe/public, GET /probe/default (no role: admin).
 */
export async function authTestApp(
  mode: AuthMode,
  { trustProxy, ...options }: { sessionTtlMs?: number; secureCookies?: boolean | "auto"; trustProxy?: boolean | string } = {},
): Promise<AuthTestApp> {
  const dir = mkdtempSync(join(tmpdir(), "baton-auth-"));
  const store = await openSqliteStore(join(dir, "baton.db"));
  const log: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      log.push(chunk.toString("utf8"));
      done();
    },
  });
  const app = Fastify({
    trustProxy: trustProxy ?? false,
    logger: {
      level: "debug",
      stream,
      redact: [...AUTH_LOG_REDACT],
      serializers: { req: (req: FastifyRequest) => ({ method: req.method, url: req.url, headers: req.headers }) },
    },
  });
  const clock = { now: Date.UTC(2025, 0, 1) };
  await registerAuth(app, { auth: store, mode, now: () => clock.now, ...options });
  const ok = async (request: FastifyRequest) => ({ username: request.principal?.username ?? null, via: request.principal?.via ?? null });
  app.get("/probe/viewer", { config: { role: "viewer" } }, ok);
  app.post("/probe/user", { config: { role: "user" } }, ok);
  app.post("/probe/public", { config: { role: "public" } }, ok);
  app.get("/probe/default", ok);
  await app.ready();
  return {
    app,
    auth: store,
    log,
    clock,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function addUser(auth: AuthStore, username: string, role: Role, password = `${username}-password`): Promise<string> {
  await auth.createUser({ username, role, passwordHash: await hashPassword(password), disabled: false, createdAt: 0 });
  return password;
}

/** Logs in and returns the session cookie value and CSRF token. */
export async function login(app: FastifyInstance, username: string, password = `${username}-password`): Promise<{ cookie: string; csrfToken: string }> {
  const res = await app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login of ${username} failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)?.value;
  if (!cookie) throw new Error("login set no session cookie");
  return { cookie, csrfToken: (res.json() as { csrfToken: string }).csrfToken };
}
