import { afterEach, describe, expect, it } from "vitest";
import { createApiToken } from "./api-token.js";
import { SESSION_COOKIE } from "./session-cookie.js";
import { addUser, authTestApp, login, type AuthTestApp } from "./testing/auth-test-app.js";

// Regression (issue 8, item 4): a password change left the user's existing sessions working, so
// someone who had stolen a session kept it after the victim changed the password.
describe("a password change ends the user's sessions", () => {
  let t: AuthTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const asSession = (cookie: string) => t!.app.inject({ url: "/probe/viewer", cookies: { [SESSION_COOKIE]: cookie } });

  it("an admin's change (by token) ends all of that user's sessions, and keeps their API tokens", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "ada", "admin");
    const admin = { authorization: `Bearer ${(await createApiToken(t.auth, "ada", "a", "admin", null, 0)).token}` };
    await addUser(t.auth, "bob", "viewer");
    const bobToken = (await createApiToken(t.auth, "bob", "b", "viewer", null, 0)).token;
    const first = await login(t.app, "bob");
    const second = await login(t.app, "bob");
    const adaSession = await login(t.app, "ada");

    const res = await t.app.inject({ method: "PATCH", url: "/api/v1/users/bob", headers: admin, payload: { password: "brand-new-password" } });
    expect(res.statusCode).toBe(200);

    expect((await asSession(first.cookie)).statusCode).toBe(401);
    expect((await asSession(second.cookie)).statusCode).toBe(401);
    expect((await asSession(adaSession.cookie)).statusCode).toBe(200);
    expect((await t.app.inject({ url: "/probe/viewer", headers: { authorization: `Bearer ${bobToken}` } })).statusCode).toBe(200);
  });

  it("changing one's own password keeps the session that made the change and ends the others", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "ada", "admin");
    const here = await login(t.app, "ada");
    const elsewhere = await login(t.app, "ada");
    const res = await t.app.inject({
      method: "PATCH",
      url: "/api/v1/users/ada",
      cookies: { [SESSION_COOKIE]: here.cookie },
      headers: { "x-csrf-token": here.csrfToken },
      payload: { password: "brand-new-password" },
    });
    expect(res.statusCode).toBe(200);
    expect((await asSession(here.cookie)).statusCode).toBe(200);
    expect((await asSession(elsewhere.cookie)).statusCode).toBe(401);
  });

  it("a role change alone keeps the sessions; disabling or deleting the user ends them", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "ada", "admin");
    const admin = { authorization: `Bearer ${(await createApiToken(t.auth, "ada", "a", "admin", null, 0)).token}` };
    await addUser(t.auth, "bob", "viewer");
    const bob = await login(t.app, "bob");
    await t.app.inject({ method: "PATCH", url: "/api/v1/users/bob", headers: admin, payload: { role: "user" } });
    expect((await asSession(bob.cookie)).statusCode).toBe(200);
    await t.app.inject({ method: "PATCH", url: "/api/v1/users/bob", headers: admin, payload: { disabled: true } });
    await t.app.inject({ method: "PATCH", url: "/api/v1/users/bob", headers: admin, payload: { disabled: false } });
    expect((await asSession(bob.cookie)).statusCode).toBe(401);

    const again = await login(t.app, "bob");
    expect((await t.app.inject({ method: "DELETE", url: "/api/v1/users/bob", headers: admin })).statusCode).toBe(204);
    expect((await asSession(again.cookie)).statusCode).toBe(401);
  });
});
