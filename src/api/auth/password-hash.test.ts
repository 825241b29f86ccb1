import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./password-hash.js";

describe("hashPassword / verifyPassword", () => {
  it("writes scrypt$16384$8$1$<salt>$<hash> with a 16-byte salt and a 64-byte key", async () => {
    const hash = await hashPassword("correct horse");
    const [alg, n, r, p, salt, key] = hash.split("$");
    expect([alg, n, r, p]).toEqual(["scrypt", "16384", "8", "1"]);
    expect(Buffer.from(salt ?? "", "base64")).toHaveLength(16);
    expect(Buffer.from(key ?? "", "base64")).toHaveLength(64);
  });

  it("verifies the right password and rejects a wrong one", async () => {
    const hash = await hashPassword("correct horse");
    expect(await verifyPassword("correct horse", hash)).toBe(true);
    expect(await verifyPassword("correct horsE", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });

  it("answers false, never throws, for malformed or hostile hashes", async () => {
    for (const bad of [
      "",
      "plain",
      "bcrypt$1$2$3$4$5",
      "scrypt$x$8$1$AAAA$AAAA",
      "scrypt$16384$8$1$$",
      "scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
    ]) {
      expect(await verifyPassword("pw", bad)).toBe(false);
    }
  });
});
