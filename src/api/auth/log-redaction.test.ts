import { afterEach, describe, expect, it } from "vitest";
import { createApiToken } from "./api-token.js";
import { addUser, authTestApp, login, type AuthTestApp } from "./testing/auth-test-app.js";

describe("server log", () => {
  let t: AuthTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("never contains passwords, tokens, session cookies or CSRF tokens", async () => {
    t = await authTestApp("required");
    const password = await addUser(t.auth, "ada", "admin", "ada-secret-password-1");
    await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "ada", password: "wrong-password-2" } });
    const { cookie, csrfToken } = await login(t.app, "ada", password);
    const session = { cookies: { baton_session: cookie }, headers: { "x-csrf-token": csrfToken } };
    const created = await t.app.inject({ method: "POST", url: "/api/v1/auth/tokens", payload: { name: "ci" }, ...session });
    const token = (created.json() as { token: string }).token;
    await t.app.inject({ method: "POST", url: "/api/v1/users", payload: { username: "bob", password: "bob-secret-password-3", role: "viewer" }, ...session });
    await t.app.inject({
      method: "PATCH",
      url: "/api/v1/users/bob",
      payload: { password: "bob-secret-password-4" },
      headers: { authorization: `Bearer ${token}` },
    });
    await t.app.inject({ url: "/probe/viewer", headers: { authorization: "Bearer not-a-token-secret-5" } });
    const other = (await createApiToken(t.auth, "ada", "x", "admin", null, 0)).token;
    await t.app.inject({ url: "/probe/viewer", headers: { authorization: `Bearer ${other}` } });

    const log = t.log.join("");
    expect(log).toContain('"url":"/api/v1/auth/login"');
    expect(log).toContain("[Redacted]");
    for (const secret of [
      password,
      "wrong-password-2",
      cookie,
      csrfToken,
      token,
      "bob-secret-password-3",
      "bob-secret-password-4",
      "not-a-token-secret-5",
      other,
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toContain("scrypt$");
  });
});
