import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { createApiToken } from "./api-token.js";
import { minRole, roleAtLeast } from "./principal.js";
import { registerAuth } from "./register-auth.js";
import { addUser, authTestApp, login, type AuthTestApp } from "./testing/auth-test-app.js";

describe("role order", () => {
  it("is viewer < user < op < admin", () => {
    expect(roleAtLeast("admin", "op")).toBe(true);
    expect(roleAtLeast("user", "user")).toBe(true);
    expect(roleAtLeast("viewer", "user")).toBe(false);
    expect(minRole("admin", "viewer")).toBe("viewer");
  });
});

describe("the auth hook", () => {
  let t: AuthTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function tokenFor(username: string, role: "viewer" | "user" | "op" | "admin") {
    if (!t) throw new Error("no app");
    await addUser(t.auth, username, role);
    return (await createApiToken(t.auth, username, "test", role, null, t.clock.now)).token;
  }

  it("required mode: 401 without credentials, except on public routes", async () => {
    t = await authTestApp("required");
    const res = await t.app.inject({ url: "/probe/viewer" });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: "unauthorized" } });
    expect((await t.app.inject({ method: "POST", url: "/probe/public" })).statusCode).toBe(200);
  });

  it("bearer token authenticates and its role applies: viewer gets 403 on a user route", async () => {
    t = await authTestApp("required");
    const token = await tokenFor("vic", "viewer");
    const headers = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ url: "/probe/viewer", headers })).json()).toEqual({ username: "vic", via: "token" });
    const denied = await t.app.inject({ method: "POST", url: "/probe/user", headers });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual({ error: { code: "forbidden", message: "role viewer cannot POST /probe/user; needs user" } });
  });

  it("routes without config.role need admin", async () => {
    t = await authTestApp("required");
    const headers = { authorization: `Bearer ${await tokenFor("olga", "op")}` };
    expect((await t.app.inject({ url: "/probe/default", headers })).statusCode).toBe(403);
    const admin = { authorization: `Bearer ${await tokenFor("ada", "admin")}` };
    expect((await t.app.inject({ url: "/probe/default", headers: admin })).statusCode).toBe(200);
  });

  it("local mode: anonymous acts as admin, but a viewer token still gets 403", async () => {
    t = await authTestApp("local");
    expect((await t.app.inject({ url: "/probe/default" })).json()).toEqual({ username: "local-admin", via: "local" });
    expect((await t.app.inject({ method: "POST", url: "/probe/user" })).statusCode).toBe(200);
    const headers = { authorization: `Bearer ${await tokenFor("vic", "viewer")}` };
    expect((await t.app.inject({ method: "POST", url: "/probe/user", headers })).statusCode).toBe(403);
  });

  it("local mode: an invalid token is 401, not a fallback to the local admin", async () => {
    t = await authTestApp("local");
    const bad = await t.app.inject({ url: "/probe/viewer", headers: { authorization: "Bearer baton_000000000000_" + "x".repeat(43) } });
    expect(bad.statusCode).toBe(401);
    expect((await t.app.inject({ url: "/probe/viewer", headers: { authorization: "Basic YTpi" } })).statusCode).toBe(401);
  });

  it("local mode: refuses a non-loopback Host and cross-origin anonymous mutations", async () => {
    t = await authTestApp("local");
    expect((await t.app.inject({ url: "/probe/viewer", headers: { host: "evil.example:8080" } })).statusCode).toBe(401);
    const cross = await t.app.inject({ method: "POST", url: "/probe/user", headers: { host: "127.0.0.1:8080", origin: "https://evil.example" } });
    expect(cross.statusCode).toBe(403);
    const same = await t.app.inject({ method: "POST", url: "/probe/user", headers: { host: "127.0.0.1:8080", origin: "http://127.0.0.1:8080" } });
    expect(same.statusCode).toBe(200);
  });

  it("rejects expired tokens and tokens of disabled users; caps a token at its user's current role", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "uma", "op");
    const { token: shortLived } = await createApiToken(t.auth, "uma", "short", "op", 1, t.clock.now);
    const { token } = await createApiToken(t.auth, "uma", "long", "op", null, t.clock.now);
    t.clock.now += 86_400_000;
    expect((await t.app.inject({ url: "/probe/viewer", headers: { authorization: `Bearer ${shortLived}` } })).statusCode).toBe(401);
    await t.auth.updateUser("uma", { role: "viewer" });
    expect((await t.app.inject({ method: "POST", url: "/probe/user", headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(403);
    await t.auth.updateUser("uma", { disabled: true });
    expect((await t.app.inject({ url: "/probe/viewer", headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
  });

  it("touches lastUsedAt at most once a minute", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "tom", "viewer");
    const { record, token } = await createApiToken(t.auth, "tom", "t", "viewer", null, t.clock.now);
    const headers = { authorization: `Bearer ${token}` };
    const start = t.clock.now;
    await t.app.inject({ url: "/probe/viewer", headers });
    t.clock.now += 30_000;
    await t.app.inject({ url: "/probe/viewer", headers });
    expect((await t.auth.getToken(record.id))?.lastUsedAt).toBe(start);
    t.clock.now += 30_000;
    await t.app.inject({ url: "/probe/viewer", headers });
    expect((await t.auth.getToken(record.id))?.lastUsedAt).toBe(start + 60_000);
  });

  it("cookie-authenticated mutations need the CSRF header; bearer requests do not", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "alice", "user");
    const { cookie, csrfToken } = await login(t.app, "alice");
    const cookies = { baton_session: cookie };
    expect((await t.app.inject({ url: "/probe/viewer", cookies })).statusCode).toBe(200);
    const missing = await t.app.inject({ method: "POST", url: "/probe/user", cookies });
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({ error: { code: "forbidden", message: expect.stringContaining("CSRF") } });
    const wrong = await t.app.inject({ method: "POST", url: "/probe/user", cookies, headers: { "x-csrf-token": "x".repeat(43) } });
    expect(wrong.statusCode).toBe(403);
    expect((await t.app.inject({ method: "POST", url: "/probe/user", cookies, headers: { "x-csrf-token": csrfToken } })).statusCode).toBe(200);

    const token = (await createApiToken(t.auth, "alice", "cli", "user", null, t.clock.now)).token;
    expect((await t.app.inject({ method: "POST", url: "/probe/user", headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
  });

  it("refuses an unknown config.role when the route is added", async () => {
    t = await authTestApp("required");
    const app = Fastify();
    await registerAuth(app, { auth: t.auth, mode: "required" });
    // @ts-expect-error: a typo the type checker also catches
    expect(() => app.get("/typo", { config: { role: "viewr" } }, async () => "x")).toThrow(/config.role "viewr"/);
    await app.close();
  });
});
