import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite-store.js";
import { baton } from "./baton-cli.js";

// Regression (issue 8, item 4): `baton users set-password` left the user's login sessions working.
let root: string;
let env: Record<string, string>;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-set-password-"));
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags") };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("baton users set-password", () => {
  it("ends every login session of that user and nobody else's", async () => {
    expect((await baton(["users", "create", "alice", "--password", "alice-password"], env)).code).toBe(0);
    expect((await baton(["users", "create", "bob", "--password", "bob-password"], env)).code).toBe(0);
    const session = (idHash: string, username: string) => ({ idHash, username, csrfToken: "c", createdAt: 0, expiresAt: Date.now() + 3_600_000 });
    let store = await openSqliteStore(join(root, "home", "baton.db"));
    await store.createSession(session("a1", "alice"));
    await store.createSession(session("a2", "alice"));
    await store.createSession(session("b1", "bob"));
    await store.close();

    const r = await baton(["users", "set-password", "alice", "--password", "another-password"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Ended 2 login session(s) of alice.");

    store = await openSqliteStore(join(root, "home", "baton.db"));
    try {
      expect(await store.getSession("a1")).toBeUndefined();
      expect(await store.getSession("a2")).toBeUndefined();
      expect(await store.getSession("b1")).toBeDefined();
    } finally {
      await store.close();
    }
  });
});
