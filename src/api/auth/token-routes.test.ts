import { afterEach, describe, expect, it } from "vitest";
import { createApiToken } from "./api-token.js";
import { addUser, authTestApp, login, type AuthTestApp } from "./testing/auth-test-app.js";

describe("token routes", () => {
  let t: AuthTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("creates a token (shown once), lists own tokens without secrets, and revokes it", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "alice", "op");
    const { cookie, csrfToken } = await login(t.app, "alice");
    const session = { cookies: { baton_session: cookie }, headers: { "x-csrf-token": csrfToken } };
    const created = await t.app.inject({ method: "POST", url: "/api/v1/auth/tokens", payload: { name: "ci", role: "user", expiresInDays: 7 }, ...session });
    expect(created.statusCode).toBe(201);
    const body = created.json() as { id: string; token: string };
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{12}$/),
      name: "ci",
      role: "user",
      token: expect.stringMatching(/^baton_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/),
      createdAt: new Date(t.clock.now).toISOString(),
      expiresAt: new Date(t.clock.now + 7 * 86_400_000).toISOString(),
    });

    const bearer = { authorization: `Bearer ${body.token}` };
    const list = await t.app.inject({ url: "/api/v1/auth/tokens", headers: bearer });
    expect(list.json()).toEqual({
      tokens: [
        {
          id: body.id,
          name: "ci",
          role: "user",
          createdAt: expect.any(String),
          expiresAt: expect.any(String),
          lastUsedAt: new Date(t.clock.now).toISOString(),
        },
      ],
    });
    expect(list.body).not.toContain(body.token.slice(19));

    expect((await t.app.inject({ method: "DELETE", url: `/api/v1/auth/tokens/${body.id}`, headers: bearer })).statusCode).toBe(204);
    expect((await t.app.inject({ url: "/api/v1/auth/tokens", headers: bearer })).statusCode).toBe(401);
  });

  it("caps the role at the caller's: 400 naming role", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "ada", "admin");
    const { token } = await createApiToken(t.auth, "ada", "read-only", "viewer", null, 0);
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/tokens",
      payload: { name: "x", role: "admin" },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: "invalid_input", field: "role" } });
  });

  it("users see and delete only their own tokens; admins all", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "ada", "admin");
    await addUser(t.auth, "bob", "user");
    await addUser(t.auth, "cat", "user");
    const ada = (await createApiToken(t.auth, "ada", "a", "admin", null, 0)).token;
    const bob = (await createApiToken(t.auth, "bob", "b", "user", null, 0)).token;
    const cat = await createApiToken(t.auth, "cat", "c", "user", null, 0);
    const list = async (token: string) =>
      ((await t!.app.inject({ url: "/api/v1/auth/tokens", headers: { authorization: `Bearer ${token}` } })).json() as { tokens: { name: string }[] }).tokens
        .map((x) => x.name)
        .sort();
    expect(await list(bob)).toEqual(["b"]);
    expect(await list(ada)).toEqual(["a", "b", "c"]);
    const url = `/api/v1/auth/tokens/${cat.record.id}`;
    expect((await t.app.inject({ method: "DELETE", url, headers: { authorization: `Bearer ${bob}` } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: "DELETE", url, headers: { authorization: `Bearer ${ada}` } })).statusCode).toBe(204);
  });

  it("the anonymous local admin cannot own a token", async () => {
    t = await authTestApp("local");
    const res = await t.app.inject({ method: "POST", url: "/api/v1/auth/tokens", payload: { name: "x" } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: "invalid_input" } });
  });
});
