import { afterEach, describe, expect, it } from "vitest";
import { addUser, authTestApp, login, type AuthTestApp } from "./testing/auth-test-app.js";

describe("login, logout, me", () => {
  let t: AuthTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("logs in with a strict httpOnly cookie, answers me, and logs out", async () => {
    t = await authTestApp("required", { secureCookies: true });
    await addUser(t.auth, "alice", "user");
    const res = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "alice", password: "alice-password" } });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { user: unknown; csrfToken: string };
    expect(body.user).toEqual({ username: "alice", role: "user" });
    expect(body.csrfToken.length).toBeGreaterThanOrEqual(43);
    const setCookie = String(res.headers["set-cookie"]);
    expect(setCookie).toMatch(/^baton_session=[A-Za-z0-9_-]{43};/);
    for (const flag of ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200", "Secure"]) expect(setCookie).toContain(flag);

    const cookie = res.cookies[0]?.value ?? "";
    const me = await t.app.inject({ url: "/api/v1/auth/me", cookies: { baton_session: cookie } });
    expect(me.json()).toEqual({ username: "alice", role: "user", authRequired: true, csrfToken: body.csrfToken });

    const logout = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      cookies: { baton_session: cookie },
      headers: { "x-csrf-token": body.csrfToken },
    });
    expect(logout.statusCode).toBe(204);
    expect(String(logout.headers["set-cookie"])).toMatch(/baton_session=;.*Expires=Thu, 01 Jan 1970/);
    const after = await t.app.inject({ url: "/api/v1/auth/me", cookies: { baton_session: cookie } });
    expect(after.statusCode).toBe(401);
  });

  it("answers a wrong password and an unknown user alike", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "alice", "user");
    const wrong = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "alice", password: "nope" } });
    const unknown = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "mallory", password: "nope" } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: { code: "unauthorized", message: "invalid username or password" } });
    expect(unknown.json()).toEqual(wrong.json());
    expect(wrong.headers["set-cookie"]).toBeUndefined();
  });

  it("refuses disabled users, with the same answer", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "dora", "viewer");
    await t.auth.updateUser("dora", { disabled: true });
    const res = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "dora", password: "dora-password" } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: "unauthorized", message: "invalid username or password" } });
  });

  it("ends the session of a user disabled after logging in", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "dora", "viewer");
    const { cookie } = await login(t.app, "dora");
    await t.auth.updateUser("dora", { disabled: true });
    expect((await t.app.inject({ url: "/probe/viewer", cookies: { baton_session: cookie } })).statusCode).toBe(401);
  });

  it("rejects an expired session, deletes it and clears the cookie", async () => {
    t = await authTestApp("required", { sessionTtlMs: 60_000 });
    await addUser(t.auth, "alice", "user");
    const { cookie } = await login(t.app, "alice");
    expect((await t.app.inject({ url: "/probe/viewer", cookies: { baton_session: cookie } })).statusCode).toBe(200);
    t.clock.now += 60_000;
    const res = await t.app.inject({ url: "/probe/viewer", cookies: { baton_session: cookie } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: "unauthorized", message: expect.stringContaining("session expired") } });
    expect(String(res.headers["set-cookie"])).toMatch(/^baton_session=;/);
    t.clock.now -= 60_000;
    expect((await t.app.inject({ url: "/probe/viewer", cookies: { baton_session: cookie } })).statusCode).toBe(401);
  });

  it("answers 400 invalid_input naming the missing field", async () => {
    t = await authTestApp("required");
    const res = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "alice" } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: "invalid_input", field: "password" } });
  });

  it("in local mode, me without credentials is the local admin", async () => {
    t = await authTestApp("local");
    const me = await t.app.inject({ url: "/api/v1/auth/me" });
    expect(me.json()).toEqual({ username: "local-admin", role: "admin", authRequired: false, csrfToken: null });
  });
});
