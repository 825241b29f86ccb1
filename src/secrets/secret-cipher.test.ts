import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretCipher, SecretDecryptionError } from "./secret-cipher.js";

describe("SecretCipher", () => {
  const cipher = new SecretCipher(randomBytes(32));

  it("round-trips with a fresh IV each time, in the v1:iv:tag:data format", () => {
    const a = cipher.encrypt("hunter22 ünïcødé", "ctx");
    const b = cipher.encrypt("hunter22 ünïcødé", "ctx");
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]{24}:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("hunter22");
    expect(cipher.decrypt(a, "ctx", "x")).toBe("hunter22 ünïcødé");
  });

  it("detects a tampered ciphertext, tag or IV", () => {
    const stored = cipher.encrypt("secret value", "ctx");
    const [v, iv, tag, data] = stored.split(":") as [string, string, string, string];
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, "base64");
      buf[0] = buf[0]! ^ 1;
      return buf.toString("base64");
    };
    for (const bad of [`${v}:${iv}:${tag}:${flip(data)}`, `${v}:${iv}:${flip(tag)}:${data}`, `${v}:${flip(iv)}:${tag}:${data}`]) {
      expect(() => cipher.decrypt(bad, "ctx", 'variable "k"')).toThrow(SecretDecryptionError);
    }
    expect(() => cipher.decrypt("v0:a:b:c", "ctx", "x")).toThrow(/corrupt/);
  });

  it("refuses a ciphertext moved to another context (another row)", () => {
    const stored = cipher.encrypt("secret value", "baton.variable:a");
    expect(() => cipher.decrypt(stored, "baton.variable:b", 'variable "b"')).toThrow(SecretDecryptionError);
  });

  it("with the wrong key, says so and names BATON_SECRET_KEY", () => {
    const stored = cipher.encrypt("secret value", "ctx");
    const other = new SecretCipher(randomBytes(32));
    expect(() => other.decrypt(stored, "ctx", 'connection "wh"')).toThrow(/connection "wh".*wrong key.*BATON_SECRET_KEY/);
  });

  it("needs a 32-byte key", () => {
    expect(() => new SecretCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});
