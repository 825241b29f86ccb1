import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Secret } from "../core/secrets/secret.js";
import { keyFromText, loadSecretKey } from "./secret-key.js";

const dir = mkdtempSync(join(tmpdir(), "baton-secret-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadSecretKey", () => {
  it("uses BATON_SECRET_KEY as base64 of 32 bytes", () => {
    const raw = randomBytes(32);
    expect(loadSecretKey({ secretKey: new Secret(raw.toString("base64")), keyFile: join(dir, "unused") })).toEqual(raw);
  });

  it("derives a stable 32-byte key from any passphrase", () => {
    const a = keyFromText("correct horse battery staple");
    expect(a).toHaveLength(32);
    expect(keyFromText("correct horse battery staple")).toEqual(a);
    expect(keyFromText("correct horse battery stapl3")).not.toEqual(a);
  });

  it("creates $BATON_HOME/secret.key with mode 0600 once, then reads it back", () => {
    const keyFile = join(dir, "secret.key");
    const first = loadSecretKey({ secretKey: null, keyFile });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyFile, "utf8").trim(), "base64")).toEqual(first);
    expect(loadSecretKey({ secretKey: null, keyFile })).toEqual(first);
  });

  it("refuses a key file readable by group or others", () => {
    const keyFile = join(dir, "open.key");
    loadSecretKey({ secretKey: null, keyFile });
    chmodSync(keyFile, 0o644);
    expect(() => loadSecretKey({ secretKey: null, keyFile })).toThrow(/readable by others \(mode 0644\).*chmod 600/);
  });

  it("rejects an empty BATON_SECRET_KEY", () => {
    expect(() => keyFromText("  ")).toThrow(/BATON_SECRET_KEY/);
  });
});
