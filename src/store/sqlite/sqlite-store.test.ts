import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import BetterSqlite3 from "better-sqlite3";
import { Kysely } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { describeStoreContract } from "../contract/store-contract.js";
import { newRun, taskInstance } from "../contract/fixtures.js";
import { describeUpgradeContract } from "../contract/upgrade-contract.js";
import { SQLITE_FEATURES } from "../dialect-features.js";
import { openStore } from "../open-store.js";
import type { Database } from "../schema/database.js";
import { DurableSqliteDialect } from "./durable-sqlite-dialect.js";
import { configureDurableConnection, openSqliteStore, SQLITE_CAPABILITIES } from "./open-sqlite-store.js";
import { BUSY_TIMEOUT_MS } from "./lock-wait.js";
import { withStatementCache } from "./statement-cache.js";

const dir = mkdtempSync(join(tmpdir(), "baton-sqlite-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `store-${++files}.db`);

describeStoreContract("sqlite", () => openSqliteStore(freshPath()));

describeUpgradeContract("sqlite", async () => {
  const path = freshPath();
  return {
    features: SQLITE_FEATURES,
    capabilities: SQLITE_CAPABILITIES,
    connect: () => {
      const sqlite = new BetterSqlite3(path);
      configureDurableConnection(sqlite, path);
      return new Kysely<Database>({ dialect: new DurableSqliteDialect({ database: withStatementCache(sqlite) }) });
    },
    open: () => openSqliteStore(path),
    cleanup: async () => rmSync(path, { force: true }),
  };
});

describe("SQLite adapter", () => {
  it("configures each connection for durability: WAL, synchronous=FULL, a short busy_timeout, foreign keys", () => {
    const path = freshPath();
    const raw = new BetterSqlite3(path);
    try {
      configureDurableConnection(raw, path);
      expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(raw.pragma("synchronous", { simple: true })).toBe(2); // FULL
      // Longer waits for a lock are asynchronous (lock-wait.ts), never SQLite's synchronous sleep.
      expect(raw.pragma("busy_timeout", { simple: true })).toBe(BUSY_TIMEOUT_MS);
      expect(raw.pragma("foreign_keys", { simple: true })).toBe(1);
    } finally {
      raw.close();
    }
  });

  it("creates missing parent directories and reports no networking or SKIP LOCKED", async () => {
    const store = await openSqliteStore(join(dir, "nested", "deeper", "baton.db"));
    try {
      expect(store.capabilities).toEqual({ skipLocked: false, networked: false });
      expect(await store.getPool("default_pool")).toBeDefined();
    } finally {
      await store.close();
    }
  });

  it("openStore takes a plain path or a sqlite: URL, and data persists across reopen", async () => {
    const path = freshPath();
    const first = await openStore(`sqlite://${path}`);
    await first.heartbeat("scheduler", "one", 1);
    await first.close();
    const second = await openStore(path);
    try {
      expect(await second.listHeartbeats("scheduler")).toEqual([{ id: "one", at: 1 }]);
    } finally {
      await second.close();
    }
  });

  it("a file that is not a database fails with its path in the message", async () => {
    const path = join(dir, "not-a-db.db");
    writeFileSync(path, "this is not sqlite, just text long enough to have a header ".repeat(20));
    await expect(openSqliteStore(path)).rejects.toThrow(path);
  });

  it("commits while another process writes the same file: writers queue on the lock, none fails", async () => {
    const path = freshPath();
    const store = await openSqliteStore(path);
    try {
      const run = await store.createRun(newRun("etl", "r1"), [taskInstance("a")]);
      // Another connection in its own thread stands in for a second process (the API server).
      const worker = new Worker(
        `
        const { workerData, parentPort } = require("node:worker_threads");
        const Database = require(workerData.driver);
        const db = new Database(workerData.path);
        db.pragma("busy_timeout = 5000");
        const beat = db.prepare("insert into heartbeats (component, id, at) values ('api', 'w', ?) on conflict (component, id) do update set at = excluded.at");
        for (let i = 0; i < 300; i++) {
          db.exec("begin immediate");
          const n = db.prepare("select count(*) as n from task_instances").get().n;
          beat.run(i + n);
          db.exec("commit");
        }
        db.close();
        parentPort.postMessage("done");
        `,
        { eval: true, workerData: { path, driver: createRequire(import.meta.url).resolve("better-sqlite3") } },
      );
      const finished = new Promise<void>((resolve, reject) => {
        worker.once("message", () => resolve());
        worker.once("error", reject);
      });
      for (let i = 0; i < 300; i++) {
        await store.commit({
          runs: [{ id: run!.id, note: `turn ${i}` }],
          taskInstances: [taskInstance("a", { runPk: run!.id, tryNumber: i })],
        });
      }
      await finished;
      expect((await store.listTaskInstances(run!.id))[0]?.tryNumber).toBe(299);
      expect((await store.listHeartbeats("api"))[0]?.at).toBe(299 + 1);
    } finally {
      await store.close();
    }
  });
});
