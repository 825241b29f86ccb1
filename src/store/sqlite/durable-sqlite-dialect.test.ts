import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, sql } from "kysely";
import { afterAll, expect, it } from "vitest";
import { DurableSqliteDialect } from "./durable-sqlite-dialect.js";

const dir = mkdtempSync(join(tmpdir(), "baton-sqlite-dialect-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("transactions take the write lock at BEGIN, so a read-then-write transaction cannot be overtaken", async () => {
  const path = join(dir, "lock.db");
  const setup = new BetterSqlite3(path);
  setup.pragma("journal_mode = WAL");
  setup.exec("create table t (n integer)");
  setup.close();

  const db = new Kysely<{ t: { n: number } }>({ dialect: new DurableSqliteDialect({ database: new BetterSqlite3(path) }) });
  const other = new BetterSqlite3(path);
  other.pragma("busy_timeout = 0");
  try {
    await db.transaction().execute(async (trx) => {
      await sql`select count(*) from t`.execute(trx);
      // With a deferred BEGIN this transaction would hold only a read snapshot here, the other
      // writer would get in, and our insert below would fail with SQLITE_BUSY_SNAPSHOT.
      expect(() => other.exec("begin immediate")).toThrow(/locked|busy/i);
      await trx.insertInto("t").values({ n: 1 }).execute();
    });
    expect(other.prepare("select count(*) as n from t").get()).toEqual({ n: 1 });
  } finally {
    other.close();
    await db.destroy();
  }
});
