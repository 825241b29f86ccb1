import { afterEach, describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "./session-cookie.js";
import { addUser, authTestApp, type AuthTestApp } from "./testing/auth-test-app.js";

// Issue 8, item 4: the session cookie could be marked Secure only by code (`secureCookies`), so a
// server behind a TLS-terminating proxy sent it without `Secure`.
describe("the session cookie's Secure attribute", () => {
  let t: AuthTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  /** Whether login's and logout's Set-Cookie carry Secure. */
  async function secureFlags(headers: Record<string, string> = {}, remoteAddress = "127.0.0.1"): Promise<[boolean, boolean]> {
    if (!(await t!.auth.getUser("ada"))) await addUser(t!.auth, "ada", "viewer");
    const login = await t!.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      remoteAddress,
      headers,
      payload: { username: "ada", password: "ada-password" },
    });
    expect(login.statusCode).toBe(200);
    const cookie = login.cookies.find((c) => c.name === SESSION_COOKIE)!;
    const { csrfToken } = login.json() as { csrfToken: string };
    const logout = await t!.app.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      remoteAddress,
      headers: { ...headers, "x-csrf-token": csrfToken },
      cookies: { [SESSION_COOKIE]: cookie.value },
    });
    expect(logout.statusCode).toBe(204);
    const cleared = logout.cookies.find((c) => c.name === SESSION_COOKIE)!;
    return [cookie.secure === true, cleared.secure === true];
  }

  it("auto (the default): not over plain HTTP", async () => {
    t = await authTestApp("required");
    expect(await secureFlags()).toEqual([false, false]);
  });

  it("auto: X-Forwarded-Proto https counts only from a trusted proxy", async () => {
    t = await authTestApp("required");
    expect(await secureFlags({ "x-forwarded-proto": "https" })).toEqual([false, false]);
    await t.close();
    t = await authTestApp("required", { trustProxy: true });
    expect(await secureFlags({ "x-forwarded-proto": "https" })).toEqual([true, true]);
  });

  it("auto: a proxy trusted by address list; others' X-Forwarded-Proto is ignored", async () => {
    t = await authTestApp("required", { trustProxy: "127.0.0.1/8" });
    expect(await secureFlags({ "x-forwarded-proto": "https" })).toEqual([true, true]);
    expect(await secureFlags({ "x-forwarded-proto": "https" }, "192.0.2.9")).toEqual([false, false]);
  });

  it("true always marks it Secure; false never does", async () => {
    t = await authTestApp("required", { secureCookies: true });
    expect(await secureFlags()).toEqual([true, true]);
    await t.close();
    t = await authTestApp("required", { secureCookies: false, trustProxy: true });
    expect(await secureFlags({ "x-forwarded-proto": "https" })).toEqual([false, false]);
  });
});
