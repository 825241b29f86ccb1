import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isSealedOutput } from "../core/ports/output-sealer.js";
import { CipherOutputSealer } from "./output-sealer.js";
import { SecretCipher, SecretDecryptionError } from "./secret-cipher.js";

describe("CipherOutputSealer", () => {
  const key = randomBytes(32);
  const sealer = new CipherOutputSealer(() => new SecretCipher(key));

  it("seals JSON text so it is recognisable, holds no plaintext and opens only for its task instance", () => {
    const sealed = sealer.seal('{"pw":"hunter22"}', "task-output:d/r/t/-1");
    expect(isSealedOutput(sealed)).toBe(true);
    expect(sealed).toMatch(/^sealed:v1:/);
    expect(sealed).not.toContain("hunter22");
    expect(sealer.open(sealed, "task-output:d/r/t/-1")).toBe('{"pw":"hunter22"}');
    expect(() => sealer.open(sealed, "task-output:d/r/other/-1")).toThrow(SecretDecryptionError);
    expect(() => new CipherOutputSealer(() => new SecretCipher(randomBytes(32))).open(sealed, "task-output:d/r/t/-1")).toThrow(/wrong key/);
  });

  it("loads the key on first use only", () => {
    let loads = 0;
    const lazy = new CipherOutputSealer(() => (loads++, new SecretCipher(key)));
    expect(loads).toBe(0);
    lazy.open(lazy.seal("1", "c"), "c");
    expect(loads).toBe(1);
  });

  it("never mistakes JSON text for a sealed value", () => {
    for (const json of ['"sealed:x"', "null", "[1]", "{}", "true", "-1"]) expect(isSealedOutput(json)).toBe(false);
    expect(isSealedOutput(null)).toBe(false);
  });
});
