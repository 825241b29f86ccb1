import { afterEach, describe, expect, it } from "vitest";
import { createApiToken } from "./api-token.js";
import { addUser, authTestApp, login, type AuthTestApp } from "./testing/auth-test-app.js";

describe("user routes", () => {
  let t: AuthTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function adminHeaders() {
    if (!t) throw new Error("no app");
    await addUser(t.auth, "ada", "admin");
    return { authorization: `Bearer ${(await createApiToken(t.auth, "ada", "a", "admin", null, 0)).token}` };
  }

  it("creates, lists, patches and deletes users", async () => {
    t = await authTestApp("required");
    const headers = await adminHeaders();
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers,
      payload: { username: "bob", password: "bob-password", role: "viewer" },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ username: "bob", role: "viewer", disabled: false, createdAt: new Date(t.clock.now).toISOString() });
    expect(created.body).not.toContain("scrypt");
    const dup = await t.app.inject({ method: "POST", url: "/api/v1/users", headers, payload: { username: "bob", password: "other-password", role: "viewer" } });
    expect(dup.statusCode).toBe(409);

    const patched = await t.app.inject({ method: "PATCH", url: "/api/v1/users/bob", headers, payload: { role: "op", password: "new-password" } });
    expect(patched.json()).toMatchObject({ username: "bob", role: "op", disabled: false });
    await login(t.app, "bob", "new-password");

    const list = await t.app.inject({ url: "/api/v1/users", headers });
    expect((list.json() as { users: { username: string }[] }).users.map((u) => u.username).sort()).toEqual(["ada", "bob"]);
    expect(list.body).not.toContain("passwordHash");

    expect((await t.app.inject({ method: "DELETE", url: "/api/v1/users/bob", headers })).statusCode).toBe(204);
    expect((await t.app.inject({ method: "DELETE", url: "/api/v1/users/bob", headers })).statusCode).toBe(404);
  });

  it("refuses to delete, demote or disable the last enabled admin", async () => {
    t = await authTestApp("required");
    const headers = await adminHeaders();
    for (const payload of [{ role: "op" }, { disabled: true }]) {
      const res = await t.app.inject({ method: "PATCH", url: "/api/v1/users/ada", headers, payload });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: { code: "conflict" } });
    }
    expect((await t.app.inject({ method: "DELETE", url: "/api/v1/users/ada", headers })).statusCode).toBe(409);
    await addUser(t.auth, "root", "admin");
    await t.auth.updateUser("root", { disabled: true });
    expect((await t.app.inject({ method: "DELETE", url: "/api/v1/users/ada", headers })).statusCode).toBe(409);
    await t.auth.updateUser("root", { disabled: false });
    expect((await t.app.inject({ method: "PATCH", url: "/api/v1/users/ada", headers, payload: { role: "viewer" } })).statusCode).toBe(200);
  });

  it("is admin only", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "olga", "op");
    const headers = { authorization: `Bearer ${(await createApiToken(t.auth, "olga", "o", "op", null, 0)).token}` };
    const res = await t.app.inject({ url: "/api/v1/users", headers });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: { code: "forbidden", message: "role op cannot GET /api/v1/users; needs admin" } });
  });

  it("validates bodies: 400 invalid_input naming the field", async () => {
    t = await authTestApp("required");
    const headers = await adminHeaders();
    const short = await t.app.inject({ method: "POST", url: "/api/v1/users", headers, payload: { username: "bob", password: "short", role: "viewer" } });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({ error: { code: "invalid_input", field: "password" } });
    const role = await t.app.inject({ method: "PATCH", url: "/api/v1/users/ada", headers, payload: { role: "root" } });
    expect(role.json()).toMatchObject({ error: { code: "invalid_input", field: "role" } });
    const reserved = await t.app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers,
      payload: { username: "local-admin", password: "long-enough", role: "viewer" },
    });
    expect(reserved.json()).toMatchObject({ error: { code: "invalid_input", field: "username" } });
  });
});
