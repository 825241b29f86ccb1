import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import { createApiToken, parseApiToken } from "./api-token.js";
import { addUser, authTestApp, type AuthTestApp } from "./testing/auth-test-app.js";

describe("parseApiToken", () => {
  const secret = "a".repeat(20) + "_-" + "b".repeat(21);

  it("splits baton_<id>_<secret>, where the secret may contain _ and -", () => {
    expect(parseApiToken(`baton_0123456789ab_${secret}`)).toEqual({ id: "0123456789ab", secret });
  });

  it("rejects anything else", () => {
    for (const bad of [
      "",
      "baton_",
      `baton_0123456789a_${secret}`,
      `baton_0123456789AB_${secret}`,
      `x_0123456789ab_${secret}`,
      `baton_0123456789ab_${secret}x`,
      `baton_0123456789ab_${secret.slice(1)}=`,
    ]) {
      expect(parseApiToken(bad)).toBeNull();
    }
  });
});

describe("createApiToken", () => {
  let t: AuthTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("returns the token once and stores only the sha256 of its secret", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "alice", "op");
    const { record, token } = await createApiToken(t.auth, "alice", "ci", "user", 30, 1_000);
    const parsed = parseApiToken(token);
    expect(parsed?.id).toBe(record.id);
    const stored = await t.auth.getToken(record.id);
    expect(stored?.secretHash).toBe(
      createHash("sha256")
        .update(parsed?.secret ?? "")
        .digest("hex"),
    );
    expect(JSON.stringify(stored)).not.toContain(parsed?.secret);
    expect(stored).toMatchObject({ username: "alice", name: "ci", role: "user", expiresAt: 1_000 + 30 * 86_400_000, lastUsedAt: null });
  });

  it("refuses a role above the user's, an unknown user and a disabled user", async () => {
    t = await authTestApp("required");
    await addUser(t.auth, "vic", "viewer");
    await expect(createApiToken(t.auth, "vic", "ci", "admin", null, 0)).rejects.toThrow(InvalidInputError);
    await expect(createApiToken(t.auth, "nobody", "ci", "viewer", null, 0)).rejects.toThrow(NotFoundError);
    await t.auth.updateUser("vic", { disabled: true });
    await expect(createApiToken(t.auth, "vic", "ci", "viewer", null, 0)).rejects.toThrow(/disabled/);
  });
});
