import { afterEach, describe, expect, it } from "vitest";
import { ensureAdmin } from "./ensure-admin.js";
import { verifyPassword } from "./password-hash.js";
import { addUser, authTestApp, type AuthTestApp } from "./testing/auth-test-app.js";

describe("ensureAdmin", () => {
  let t: AuthTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("creates admin with a generated password once, then does nothing", async () => {
    t = await authTestApp("required");
    const first = await ensureAdmin(t.auth, 5);
    expect(first?.username).toBe("admin");
    expect(first?.password.length).toBeGreaterThanOrEqual(24);
    const admin = await t.auth.getUser("admin");
    expect(admin).toMatchObject({ role: "admin", disabled: false, createdAt: 5 });
    expect(await verifyPassword(first?.password ?? "", admin?.passwordHash ?? "")).toBe(true);
    expect(await ensureAdmin(t.auth, 6)).toBeNull();
  });

  it("does nothing when another enabled admin exists", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "root", "admin");
    expect(await ensureAdmin(t.auth, 0)).toBeNull();
    expect(await t.auth.getUser("admin")).toBeUndefined();
  });

  it("re-enables a disabled user named admin when no enabled admin is left", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "admin", "admin");
    await t.auth.updateUser("admin", { disabled: true });
    const again = await ensureAdmin(t.auth, 0);
    expect(again?.username).toBe("admin");
    expect(await t.auth.getUser("admin")).toMatchObject({ role: "admin", disabled: false });
  });
});
