import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { systemClock } from "../../core/ports/clock.js";
import { StoreAvailabilityTracker } from "../store-availability-tracker.js";
import { DurableSqliteDialect } from "./durable-sqlite-dialect.js";
import { DEFAULT_LOCK_WAIT_MS, UNAVAILABLE_AFTER_MS } from "./lock-wait.js";
import { openSqliteStore } from "./open-sqlite-store.js";
import { WalSync } from "./wal-sync.js";

const dir = mkdtempSync(join(tmpdir(), "baton-wal-sync-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A real fdatasync that waits for `open()` before it runs: the test decides when the disk answers. */
function gatedSync() {
  const gates: (() => void)[] = [];
  const calls: number[] = [];
  return {
    calls,
    open: () => gates.shift()?.(),
    datasync: (fd: number) => {
      calls.push(fd);
      return new Promise<void>((resolve) => gates.push(resolve));
    },
  };
}

/** Lets pending promise callbacks and I/O callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

function openDialect(path: string, walSync: WalSync) {
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.exec("create table if not exists t (n integer)");
  const lockWait = {
    path,
    clock: systemClock,
    tracker: new StoreAvailabilityTracker(),
    timeoutMs: DEFAULT_LOCK_WAIT_MS,
    unavailableAfterMs: UNAVAILABLE_AFTER_MS,
  };
  return new Kysely<{ t: { n: number } }>({ dialect: new DurableSqliteDialect({ database: sqlite, lockWait, walSync }) });
}

describe("WalSync", () => {
  it("acknowledges a commit only after a sync of the WAL that began after it", async () => {
    const path = join(dir, `ack-${++files}.db`);
    const disk = gatedSync();
    const db = openDialect(path, new WalSync(path, disk.datasync));
    try {
      let committed = false;
      const write = db
        .transaction()
        .execute((trx) => trx.insertInto("t").values({ n: 1 }).execute())
        .then(() => (committed = true));
      await settle();
      expect(disk.calls).toHaveLength(1);
      expect(committed).toBe(false);
      disk.open();
      await write;
      expect(committed).toBe(true);
      // A write outside a transaction waits the same way; a read does not wait at all.
      let autocommitted = false;
      const single = db
        .insertInto("t")
        .values({ n: 2 })
        .execute()
        .then(() => (autocommitted = true));
      await settle();
      expect(autocommitted).toBe(false);
      expect(await db.selectFrom("t").select("n").execute()).toEqual([{ n: 1 }, { n: 2 }]);
      disk.open();
      await single;
      expect(disk.calls).toHaveLength(2);
    } finally {
      await db.destroy();
    }
  });

  it("shares syncs: requests made while one runs all wait for the next one, which starts after it", async () => {
    const path = join(dir, `share-${++files}.db`);
    const raw = new BetterSqlite3(path);
    raw.pragma("journal_mode = WAL");
    raw.exec("create table t (n integer)"); // the -wal file exists from the first write on
    const disk = gatedSync();
    const wal = new WalSync(path, disk.datasync);
    const done: string[] = [];
    const first = wal.sync().then(() => done.push("first"));
    await settle();
    const second = wal.sync().then(() => done.push("second"));
    const third = wal.sync().then(() => done.push("third"));
    await settle();
    expect(disk.calls).toHaveLength(1);
    disk.open();
    await first;
    await settle();
    expect(done).toEqual(["first"]);
    expect(disk.calls).toHaveLength(2);
    disk.open();
    await Promise.all([second, third]);
    expect(done).toEqual(["first", "second", "third"]);
    expect(wal.syncs).toBe(2);
    await wal.close();
    raw.close();
  });

  it("a failed sync fails the write that waited for it (the caller's retry writes it again)", async () => {
    const path = join(dir, `fail-${++files}.db`);
    let fail = true;
    const wal = new WalSync(path, async () => {
      if (fail) throw Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
    });
    const db = openDialect(path, wal);
    try {
      await expect(db.insertInto("t").values({ n: 1 }).execute()).rejects.toThrow(/EIO/);
      fail = false;
      await db.insertInto("t").values({ n: 2 }).execute();
      expect(wal.syncs).toBe(1);
    } finally {
      await db.destroy();
    }
  });

  it("the store syncs its file's WAL with real fdatasync calls and keeps every commit", async () => {
    const path = join(dir, `store-${++files}.db`);
    const store = await openSqliteStore(path);
    for (let i = 0; i < 20; i++) await store.heartbeat("scheduler", `s${i}`, i);
    await store.close();
    const raw = new BetterSqlite3(path);
    try {
      expect((raw.prepare("select count(*) as n from heartbeats").get() as { n: number }).n).toBeGreaterThanOrEqual(20);
    } finally {
      raw.close();
    }
  });
});
