import type { Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import type { StoreCapabilities } from "../../core/ports/store.js";
import type { DialectFeatures } from "../dialect-features.js";
import type { FullStore } from "../full-store.js";
import { KyselyStore } from "../kysely-store.js";
import { batonMigrator } from "../migrations/migrate-to-latest.js";
import type { Database } from "../schema/database.js";
import type { TaskInstanceRecord } from "../../core/model/records.js";
import { toTaskInstanceRow } from "../rows/task-instance-rows.js";
import { dagVersion, newRun, taskInstance } from "./fixtures.js";

/** One empty database of an adapter, reachable both raw (to stop at a migration) and as a store. */
export interface UpgradeTarget {
  readonly features: DialectFeatures;
  readonly capabilities: StoreCapabilities;
  /** A new Kysely over the database; the caller destroys it. */
  connect(): Kysely<Database>;
  /** The adapter's own open function, which migrates to the latest version. */
  open(): Promise<FullStore>;
  cleanup(): Promise<void>;
}

async function migrateTo(target: UpgradeTarget, migration: string): Promise<string[]> {
  const db = target.connect();
  try {
    const migrator = batonMigrator(db, target.features);
    const { error } = await migrator.migrateTo(migration);
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the migrator's error, rethrown as received
    if (error !== undefined) throw error;
    return (await migrator.getMigrations()).filter((m) => m.executedAt !== undefined).map((m) => m.name);
  } finally {
    await db.destroy();
  }
}

/** Task-instance rows as 0001 knew them: without the columns later migrations added (0005's sensor waits, 0007's infra tries). */
async function insertAsReleased(target: UpgradeTarget, tis: TaskInstanceRecord[]): Promise<void> {
  const db = target.connect();
  try {
    const rows = tis.map((ti) => {
      const { first_poke_at: _f, poke_count: _p, trigger_spec: _t, infra_tries: _i, ...v1 } = toTaskInstanceRow(ti);
      return v1;
    });
    await db
      .insertInto("task_instances")
      .values(rows as never)
      .execute();
  } finally {
    await db.destroy();
  }
}

/** Databases written by an earlier Baton open under this one with their data intact. */
export function describeUpgradeContract(name: string, makeTarget: () => Promise<UpgradeTarget>): void {
  describe(`Store upgrade: ${name}`, () => {
    it("a database at 0001-initial migrates to 0002-commands-and-auth on open, keeping its data; down and up again", async () => {
      const target = await makeTarget();
      try {
        expect(await migrateTo(target, "0001-initial")).toEqual(["0001-initial"]);

        // Baton as released with 0001 only: the store's old methods touch only the old tables.
        const old = new KyselyStore(target.connect(), target.capabilities, target.features);
        await old.saveDagVersion(dagVersion("etl", "v1"));
        const run = await old.createRun(newRun("etl", "r1"), []);
        await insertAsReleased(target, [taskInstance("extract", { runPk: run!.id }), taskInstance("load", { runPk: run!.id })]);
        await old.upsertPool({ name: "etl", slots: 3, description: "" });
        await old.heartbeat("scheduler", "host-a", 42);
        await old.close();
        expect(run).toBeDefined();

        const store = await target.open();
        try {
          expect(await store.getRun("etl", "r1")).toEqual(run);
          expect((await store.listTaskInstances(run!.id)).map((ti) => ti.taskId)).toEqual(["extract", "load"]);
          expect(await store.getPool("etl")).toEqual({ name: "etl", slots: 3, description: "" });
          expect(await store.listHeartbeats("scheduler")).toEqual([{ id: "host-a", at: 42 }]);
          expect((await store.getDag("etl"))?.latestVersion).toBe("v1");

          // The new tables work, foreign keys and cascade included.
          const cmd = await store.enqueueCommand("cancel_run", { dagId: "etl", runId: "r1" }, "alice", 1);
          expect(await store.listPendingCommands(10)).toEqual([cmd]);
          expect(await store.createUser({ username: "alice", role: "admin", passwordHash: "h", disabled: false, createdAt: 1 })).toBe(true);
          await store.createSession({ idHash: "s", username: "alice", csrfToken: "c", createdAt: 1, expiresAt: 2 });
          expect(await store.deleteUser("alice")).toBe(true);
          expect(await store.getSession("s")).toBeUndefined();
        } finally {
          await store.close();
        }

        // 0002's down drops only its own tables; migrating up again restores them, empty.
        expect(await migrateTo(target, "0001-initial")).toEqual(["0001-initial"]);
        const downgraded = target.connect();
        try {
          await expect(downgraded.selectFrom("commands").selectAll().execute()).rejects.toThrow(/commands/);
          expect(await downgraded.selectFrom("dag_runs").select("run_id").execute()).toEqual([{ run_id: "r1" }]);
        } finally {
          await downgraded.destroy();
        }
        const reopened = await target.open();
        try {
          expect(await reopened.listPendingCommands(10)).toEqual([]);
          expect(await reopened.listUsers()).toEqual([]);
          expect(await reopened.getRun("etl", "r1")).toEqual(run);
        } finally {
          await reopened.close();
        }
        expect(await migrateTo(target, "0002-commands-and-auth")).toEqual(["0001-initial", "0002-commands-and-auth"]);
      } finally {
        await target.cleanup();
      }
    });

    it("a backfill written before 0014-backfill-pause reads unpaused after it, can be paused, and keeps its row when 0014 is undone", async () => {
      const target = await makeTarget();
      try {
        const before = await migrateTo(target, "0013-remote-workers");
        expect(before.at(-1)).toBe("0013-remote-workers");
        const raw = target.connect();
        try {
          const row = {
            dag_id: "etl",
            from_date: 0,
            to_date: 86_400_000,
            reprocess: "none",
            max_active_runs: 2,
            conf: "{}",
            state: "running",
            created_at: 5,
            ended_at: null,
          };
          await raw
            .insertInto("backfills")
            .values(row as never)
            .execute();
        } finally {
          await raw.destroy();
        }
        const store = await target.open();
        try {
          const [b] = await store.listBackfills({});
          expect(b).toMatchObject({ dagId: "etl", state: "running", paused: false, maxActiveRuns: 2 });
          expect(await store.setBackfillPaused(b!.id, true)).toMatchObject({ paused: true });
        } finally {
          await store.close();
        }
        expect(await migrateTo(target, "0013-remote-workers")).toEqual(before);
        const downgraded = target.connect();
        try {
          expect(await downgraded.selectFrom("backfills").selectAll().execute()).toEqual([expect.not.objectContaining({ paused: expect.anything() })]);
          expect(await downgraded.selectFrom("backfills").select("state").execute()).toEqual([{ state: "running" }]);
        } finally {
          await downgraded.destroy();
        }
      } finally {
        await target.cleanup();
      }
    });
  });
}
