import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { FencedError } from "../../core/errors.js";
import { attempt, newRun, taskInstance } from "../contract/fixtures.js";
import { StoreAvailabilityTracker } from "../store-availability-tracker.js";
import { KyselyStore } from "../kysely-store.js";
import { SQLITE_FEATURES } from "../dialect-features.js";
import { openSqliteStore, SQLITE_CAPABILITIES } from "./open-sqlite-store.js";
import { SqliteFastCommit } from "./sqlite-fast-commit.js";
import { WalSync } from "./wal-sync.js";
import type { ChangeSet } from "../../core/ports/store.js";
import { Kysely } from "kysely";
import { DurableSqliteDialect } from "./durable-sqlite-dialect.js";
import type { Database } from "../schema/database.js";

const dir = mkdtempSync(join(tmpdir(), "baton-fast-commit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

/** A migrated file with one run of tasks `a` and `b`, and a raw connection on it set up as the store sets its own. */
async function fixture() {
  const path = join(dir, `f-${++files}.db`);
  const store = await openSqliteStore(path);
  const run = (await store.createRun(newRun("etl", "r1"), [taskInstance("a"), taskInstance("b")]))!;
  await store.close();
  const raw = new BetterSqlite3(path);
  raw.pragma("journal_mode = WAL");
  raw.pragma("synchronous = NORMAL");
  raw.pragma("busy_timeout = 5");
  open.push(raw);
  return { path, raw, runPk: run.id };
}

/** A real fdatasync that waits until the test opens the gate. */
function gatedDisk() {
  const gates: (() => void)[] = [];
  return { open: () => gates.shift()?.(), datasync: () => new Promise<void>((resolve) => gates.push(resolve)) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

function hop(runPk: number): ChangeSet {
  return {
    taskInstances: [
      taskInstance("a", { runPk, state: "success", tryNumber: 1, startedAt: 5, endedAt: 6, output: '{"n":1}', updatedAt: 7 }),
      taskInstance("b", { runPk, state: "queued", tryNumber: 1, queuedAt: 7, updatedAt: 7 }),
    ],
    attempts: [
      attempt(runPk, "a", 1, { state: "success", startedAt: 5, endedAt: 6, logPath: "/logs/a/1.log", pid: 42, worker: "w1" }),
      attempt(runPk, "b", 1, { state: "queued" }),
    ],
  };
}

describe("SqliteFastCommit", () => {
  it("acknowledges a commit of task rows only once a sync of the WAL that began after it has finished", async () => {
    const { path, raw, runPk } = await fixture();
    const disk = gatedDisk();
    const wal = new WalSync(path, disk.datasync);
    open.push(wal);
    let acknowledged = false;
    const commit = new SqliteFastCommit(raw, wal, new StoreAvailabilityTracker()).tryCommit(hop(runPk));
    expect(commit).not.toBeNull();
    void commit!.then(() => (acknowledged = true));
    await settle();
    // Written (another connection would read it), not yet acknowledged: the disk has not answered.
    expect(raw.prepare("select state from task_attempts where task_id = 'b'").get()).toEqual({ state: "queued" });
    expect(acknowledged).toBe(false);
    disk.open();
    await commit;
    expect(acknowledged).toBe(true);
  });

  it("writes the same rows as the general commit, keeping a known log path and worker when a rewrite has none", async () => {
    const generalPath = join(dir, `same-${++files}.db`);
    const fast = await openSqliteStore(join(dir, `same-${++files}.db`));
    const general = await openSqliteStore(generalPath);
    // The general path (the query builder's commit), on its own connection to the second file.
    const generalDb = new Kysely<Database>({ dialect: new DurableSqliteDialect({ database: new BetterSqlite3(generalPath) }) });
    const generalCommit = new KyselyStore(generalDb, SQLITE_CAPABILITIES, SQLITE_FEATURES);
    open.push(fast, general, generalCommit);
    for (const store of [fast, general]) await store.createRun(newRun("etl", "r1"), [taskInstance("a"), taskInstance("b")]);
    const runPk = (await fast.listRuns({ dagId: "etl" }))[0]!.id;
    const sensorWait = { firstPokeAt: 3, pokes: 2, trigger: { kind: "file", path: "/in" } as never };
    const changes: ChangeSet[] = [
      hop(runPk),
      {
        taskInstances: [
          taskInstance("b", { runPk, state: "up_for_reschedule", tryNumber: 1, followed: ["x"], sensorWait, error: "e", nextRetryAt: 9, updatedAt: 8 }),
        ],
        // A recovery rewrite: no log path, no worker; the stored ones stay.
        attempts: [attempt(runPk, "a", 1, { state: "failed", error: "lost", logPath: null, worker: null })],
      },
    ];
    for (const c of changes) {
      await fast.commit(c);
      await generalCommit.commit(c);
    }
    expect(await fast.listTaskInstances(runPk)).toEqual(await general.listTaskInstances(runPk));
    expect(await fast.listAttempts(runPk)).toEqual(await general.listAttempts(runPk));
    expect((await fast.listAttempts(runPk, "a"))[0]).toMatchObject({ state: "failed", logPath: "/logs/a/1.log", worker: "w1" });
  });

  it("creates a run with the same rows as the general createRun, acknowledged after the WAL's sync; a duplicate writes nothing", async () => {
    const path = join(dir, `create-${++files}.db`);
    const store = await openSqliteStore(path);
    const generalPath = join(dir, `create-general-${++files}.db`);
    await (await openSqliteStore(generalPath)).close();
    const generalDb = new Kysely<Database>({ dialect: new DurableSqliteDialect({ database: new BetterSqlite3(generalPath) }) });
    const general = new KyselyStore(generalDb, SQLITE_CAPABILITIES, SQLITE_FEATURES);
    open.push(store, general);
    const tis = [taskInstance("a"), taskInstance("b", { priority: 3, pool: "p", followed: ["x"] })];
    for (const run of [newRun("etl", "r1"), { ...newRun("etl", "r2"), triggeredBy: "cli:root", conf: { k: [1] } }]) {
      const fast = await store.createRun(run, tis);
      const slow = await general.createRun(run, tis);
      expect(fast).toEqual(slow);
      expect(await store.listTaskInstances(fast!.id)).toEqual(await general.listTaskInstances(slow!.id));
      for (const sut of [store, general]) expect(await sut.createRun(run, [taskInstance("c")])).toBeUndefined();
      expect(await store.listTaskInstances(fast!.id)).toHaveLength(2);
    }

    // Through SqliteFastCommit itself: not acknowledged before the disk answers.
    const raw = new BetterSqlite3(path);
    raw.pragma("journal_mode = WAL");
    raw.pragma("synchronous = NORMAL");
    open.push(raw);
    const disk = gatedDisk();
    const wal = new WalSync(path, disk.datasync);
    open.push(wal);
    const fast = new SqliteFastCommit(raw, wal, new StoreAvailabilityTracker());
    let created: unknown = null;
    void fast.tryCreateRun(newRun("etl", "r3"), tis, 42)!.then((r) => (created = r));
    await settle();
    expect(created).toBeNull();
    // The gate exists once the sync has reached the disk (after the directory's fsync on first use).
    for (let i = 0; i < 500 && created === null; i++) {
      disk.open();
      await settle();
    }
    expect(created).toMatchObject({ dagId: "etl", runId: "r3", createdAt: 42 });
    // Inside another transaction it leaves the run to the general way.
    raw.prepare("begin").run();
    expect(fast.tryCreateRun(newRun("etl", "r4"), tis, 42)).toBeNull();
    raw.prepare("rollback").run();
  });

  it("refuses a fenced committer's changes and writes none of them", async () => {
    const { raw, runPk } = await fixture();
    raw
      .prepare("insert into scheduler_leases (id, host, pid, version, started_at, beat, beat_at, fenced_at, fenced_by) values (?, 'h', 1, 'v', 0, 1, 0, ?, ?)")
      .run("s1", 5, "s2");
    const fast = new SqliteFastCommit(raw, undefined, new StoreAvailabilityTracker());
    await expect(fast.tryCommit(hop(runPk), { schedulerId: "s1" })).rejects.toBeInstanceOf(FencedError);
    expect(raw.prepare("select count(*) as n from task_attempts").get()).toEqual({ n: 0 });
    expect(raw.inTransaction).toBe(false);
    raw.prepare("update scheduler_leases set fenced_at = null, fenced_by = null").run();
    await fast.tryCommit(hop(runPk), { schedulerId: "s1" });
    expect(raw.prepare("select count(*) as n from task_attempts").get()).toEqual({ n: 2 });
  });

  it("leaves to the general commit what it cannot take: other rows, an open transaction, another process's write lock", async () => {
    const { path, raw, runPk } = await fixture();
    const fast = new SqliteFastCommit(raw, undefined, new StoreAvailabilityTracker());
    expect(fast.tryCommit({ ...hop(runPk), runs: [{ id: runPk, state: "running" }] })).toBeNull();
    raw.prepare("begin").run();
    expect(fast.tryCommit(hop(runPk))).toBeNull();
    raw.prepare("rollback").run();
    const other = new BetterSqlite3(path);
    open.push(other);
    other.prepare("begin immediate").run();
    expect(fast.tryCommit(hop(runPk))).toBeNull();
    expect(raw.inTransaction).toBe(false);
    other.prepare("commit").run();
    await fast.tryCommit(hop(runPk));
    expect(raw.prepare("select count(*) as n from task_attempts").get()).toEqual({ n: 2 });
  });

  it("lists a run's task instances as the general read does (order, nulls, JSON columns, copies), or leaves it to that read inside a transaction", async () => {
    const path = join(dir, `list-${++files}.db`);
    const store = await openSqliteStore(path);
    const generalDb = new Kysely<Database>({ dialect: new DurableSqliteDialect({ database: new BetterSqlite3(path) }) });
    const general = new KyselyStore(generalDb, SQLITE_CAPABILITIES, SQLITE_FEATURES);
    open.push(store, general);
    const tis = [taskInstance("z"), taskInstance("m", { mapIndex: -1 }), taskInstance("b"), taskInstance("a")];
    const run = (await store.createRun(newRun("etl", "r1"), tis))!;
    const runPk = run.id;
    const sensorWait = { firstPokeAt: 3, pokes: 2, trigger: { kind: "file", path: "/in" } as never };
    await store.commit({
      taskInstances: [
        taskInstance("a", {
          runPk,
          state: "success",
          tryNumber: 2,
          maxTries: 3,
          infraTries: 1,
          startedAt: 5,
          endedAt: 6,
          output: '{"n":[1,2]}',
          followed: ["b"],
          updatedAt: 7,
        }),
        taskInstance("b", { runPk, state: "up_for_reschedule", tryNumber: 1, sensorWait, error: "e", nextRetryAt: 9, queuedAt: 4, updatedAt: 8 }),
        // Copies of a mapped task, written out of order: listed by map index after their task's own row.
        taskInstance("m", { runPk, mapIndex: 10, state: "queued", tryNumber: 1, pool: "p", poolSlots: 2, priority: 5, updatedAt: 9 }),
        taskInstance("m", { runPk, mapIndex: 2, state: "failed", error: "x", updatedAt: 9 }),
      ],
    });
    const fast = await store.listTaskInstances(runPk);
    expect(fast.map((t) => `${t.taskId}[${t.mapIndex}]`)).toEqual(["a[-1]", "b[-1]", "m[-1]", "m[2]", "m[10]", "z[-1]"]);
    expect(fast).toEqual(await general.listTaskInstances(runPk));
    expect(fast[0]).toMatchObject({ infraTries: 1, followed: ["b"], output: '{"n":[1,2]}' });
    expect(fast[1]).toMatchObject({ sensorWait });
    expect(fast[2]).not.toHaveProperty("infraTries");
    expect(fast[2]).not.toHaveProperty("sensorWait");
    expect(await store.listTaskInstances(runPk + 1)).toEqual([]);

    const { raw, runPk: other } = await fixture();
    const direct = new SqliteFastCommit(raw, undefined, new StoreAvailabilityTracker());
    expect(direct.tryListTaskInstances(other)?.map((t) => t.taskId)).toEqual(["a", "b"]);
    raw.exec("begin");
    expect(direct.tryListTaskInstances(other)).toBeNull();
    raw.exec("rollback");
  });

  it("rolls back and rejects when a statement fails, leaving the connection usable", async () => {
    const { raw, runPk } = await fixture();
    const fast = new SqliteFastCommit(raw, undefined, new StoreAvailabilityTracker());
    // An attempt of an unknown run breaks the foreign key; the task instance before it is undone too.
    raw.pragma("foreign_keys = ON");
    const bad: ChangeSet = { taskInstances: hop(runPk).taskInstances, attempts: [attempt(runPk + 99, "zz", 1)] };
    await expect(fast.tryCommit(bad)).rejects.toThrow(/FOREIGN KEY/);
    expect(raw.inTransaction).toBe(false);
    expect(raw.prepare("select state from task_instances where task_id = 'a'").get()).toEqual({ state: "none" });
    await fast.tryCommit(hop(runPk));
    expect(raw.prepare("select state from task_instances where task_id = 'a'").get()).toEqual({ state: "success" });
  });
});
