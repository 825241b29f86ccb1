import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError } from "../core/errors.js";
import type { FullStore } from "../store/full-store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite-store.js";
import { SecretCipher } from "./secret-cipher.js";
import { SecretVault } from "./secret-vault.js";
import { EnvThenStoreSecretsResolver } from "./secrets-resolver.js";

const dir = mkdtempSync(join(tmpdir(), "baton-resolver-"));
let store: FullStore;
let vault: SecretVault;
beforeAll(async () => {
  store = await openSqliteStore(join(dir, "baton.db"));
  vault = new SecretVault(store, new SecretCipher(randomBytes(32)), () => 42);
  await vault.putConnection(
    { id: "wh", type: "postgres", host: "db", port: 5432, login: "etl", password: "pl41ntext-pw", schema: "ana", extra: { sslmode: "require" } },
    "the warehouse",
  );
  await vault.putVariable("api_token", "tok-s3cret", "d");
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("SecretVault", () => {
  it("stores only ciphertext, with id and type in clear", async () => {
    const row = (await store.getConnection("wh"))!;
    expect(row).toMatchObject({ id: "wh", type: "postgres", description: "the warehouse", updatedAt: 42 });
    expect(row.encrypted).not.toContain("pl41ntext-pw");
    expect((await store.getVariable("api_token"))!.encrypted).not.toContain("tok-s3cret");
    expect(readFileSync(join(dir, "baton.db")).includes("pl41ntext-pw")).toBe(false);
  });

  it("reads them back decrypted", async () => {
    expect((await vault.getConnection("wh"))!.connection.password).toBe("pl41ntext-pw");
    expect((await vault.listVariables()).map((v) => v.value)).toEqual(["tok-s3cret"]);
  });

  it("refuses bad ids", async () => {
    await expect(vault.putVariable("has space", "x")).rejects.toThrow(/variable key "has space"/);
  });
});

describe("EnvThenStoreSecretsResolver", () => {
  it("prefers the environment, then the store", async () => {
    const resolver = new EnvThenStoreSecretsResolver({ BATON_CONN_WH: "mysql://root:envpw@other:3306/x", BATON_VAR_API_TOKEN: "from-env" }, vault);
    expect(await resolver.connection("wh")).toMatchObject({ id: "wh", type: "mysql", password: "envpw" });
    expect(await resolver.variable("api_token")).toBe("from-env");
    const storeOnly = new EnvThenStoreSecretsResolver({}, vault);
    expect(await storeOnly.connection("wh")).toMatchObject({ type: "postgres", password: "pl41ntext-pw" });
    expect(await storeOnly.variable("api_token")).toBe("tok-s3cret");
  });

  it("maps ids to environment names: upper case, other characters to _", async () => {
    const resolver = new EnvThenStoreSecretsResolver({ BATON_CONN_MY_DB_1: "sqlite:///tmp/x.db" }, null);
    expect(await resolver.connection("my-db.1")).toMatchObject({ type: "sqlite", schema: "/tmp/x.db" });
  });

  it("says where it looked when nothing has the name", async () => {
    const resolver = new EnvThenStoreSecretsResolver({}, vault);
    await expect(resolver.connection("nope")).rejects.toThrow(NotFoundError);
    await expect(resolver.connection("nope")).rejects.toThrow(/connection "nope" not found: .*BATON_CONN_NOPE and the store/);
    await expect(resolver.variable("nope")).rejects.toThrow(/BATON_VAR_NOPE/);
  });
});
