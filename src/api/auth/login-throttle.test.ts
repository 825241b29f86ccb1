import { afterEach, describe, expect, it } from "vitest";
import { addUser, authTestApp, type AuthTestApp } from "./testing/auth-test-app.js";

// Regression (issue 8, item 3): 200 wrong passwords in a row were all answered 401, with no slow-down.
describe("login throttling", () => {
  let t: AuthTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const loginAs = (username: string, password: string, remoteAddress = "192.0.2.1") =>
    t!.app.inject({ method: "POST", url: "/api/v1/auth/login", remoteAddress, payload: { username, password } });

  async function failTimes(n: number, username: string, remoteAddress?: string) {
    for (let i = 0; i < n; i++) expect((await loginAs(username, `wrong-${i}`, remoteAddress)).statusCode).toBe(401);
  }

  it("5 failures lock the account for a minute with 429 and Retry-After, even for the right password", async () => {
    t = await authTestApp("required");
    const password = await addUser(t.auth, "alice", "viewer");
    await failTimes(5, "alice");
    const locked = await loginAs("alice", password);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers["retry-after"]).toBe("60");
    expect(locked.json()).toEqual({ error: { code: "too_many_requests", message: "too many failed logins; try again in 60 s" } });
    // From another address too: the lock is the account's.
    expect((await loginAs("alice", password, "198.51.100.9")).statusCode).toBe(429);
    t.clock.now += 30_000;
    expect((await loginAs("alice", password)).headers["retry-after"]).toBe("30");
    t.clock.now += 30_000;
    expect((await loginAs("alice", password)).statusCode).toBe(200);
  });

  it("lock-outs in a row double (1, 2, 4 min); a success resets the account", async () => {
    t = await authTestApp("required");
    const password = await addUser(t.auth, "alice", "viewer");
    // Each round from its own address, so the per-address limit stays out of the way.
    await failTimes(5, "alice", "192.0.2.11");
    expect((await loginAs("alice", "x")).headers["retry-after"]).toBe("60");
    t.clock.now += 60_000;
    await failTimes(5, "alice", "192.0.2.12");
    expect((await loginAs("alice", "x")).headers["retry-after"]).toBe("120");
    t.clock.now += 120_000;
    await failTimes(5, "alice", "192.0.2.13");
    expect((await loginAs("alice", "x")).headers["retry-after"]).toBe("240");
    t.clock.now += 240_000;
    expect((await loginAs("alice", password)).statusCode).toBe(200);
    await failTimes(4, "alice", "192.0.2.14");
    expect((await loginAs("alice", password)).statusCode).toBe(200);
    await failTimes(5, "alice", "192.0.2.15");
    expect((await loginAs("alice", "x")).headers["retry-after"]).toBe("60");
  });

  it("failures older than 15 minutes do not count", async () => {
    t = await authTestApp("required");
    const password = await addUser(t.auth, "alice", "viewer");
    await failTimes(4, "alice");
    t.clock.now += 15 * 60_000;
    await failTimes(4, "alice");
    expect((await loginAs("alice", password)).statusCode).toBe(200);
  });

  it("20 failures from one address lock that address for every account, not other addresses", async () => {
    t = await authTestApp("required");
    const password = await addUser(t.auth, "bob", "viewer");
    for (let i = 0; i < 20; i++) expect((await loginAs(`guess${i}`, "wrong")).statusCode).toBe(401);
    const locked = await loginAs("bob", password);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers["retry-after"]).toBe("60");
    expect((await loginAs("bob", password, "198.51.100.9")).statusCode).toBe(200);
    // A success does not clear the address.
    expect((await loginAs("bob", password)).statusCode).toBe(429);
  });

  it("logs each failure as a warning with username, address and counts, never the password", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "alice", "viewer");
    await loginAs("alice", "hunter2-wrong");
    await loginAs("nobody", "hunter3-wrong");
    const failures = t.log.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "login failed");
    expect(failures).toEqual([
      expect.objectContaining({ level: 40, username: "alice", address: "192.0.2.1", accountFailures: 1, addressFailures: 1, failedLogins: 1 }),
      expect.objectContaining({ level: 40, username: "nobody", address: "192.0.2.1", accountFailures: 1, addressFailures: 2, failedLogins: 2 }),
    ]);
    expect(t.log.join("\n")).not.toMatch(/hunter[23]/);
  });
});
