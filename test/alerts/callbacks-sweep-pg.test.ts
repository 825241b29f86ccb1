import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallbackFirer } from "../../src/alerts/callbacks/callback-firer.js";
import { CallbackSweep } from "../../src/alerts/callbacks/callback-sweep.js";
import type { NotifierDeclaration } from "../../src/core/model/alerts.js";
import { RecordingOutbox } from "../../src/alerts/testing/recording-outbox.js";
import { ManualClock } from "../../src/core/testing/manual-clock.js";
import { silentLogger } from "../../src/core/ports/logger.js";
import { attempt, dagVersion, newRun, taskInstance, taskSpec } from "../../src/store/contract/fixtures.js";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../../src/store/contract/postgres-test-databases.js";
import type { FullStore } from "../../src/store/full-store.js";
import { openPostgresStore } from "../../src/store/postgres/open-postgres-store.js";

// The callback sweep on one real PostgreSQL database shared by two schedulers (docs/adr/0007):
// the scheduler that committed a failure died before claiming its callbacks; the two left both
// sweep, at the same time, and the claim in `callback_claims` lets one of them fire each.

const unreachable = await probePostgres(TEST_PG_URL);
if (unreachable !== undefined) console.warn(`Skipping the PostgreSQL callback sweep test: no PostgreSQL at ${TEST_PG_URL} (${unreachable}).`);

describe.skipIf(unreachable !== undefined)("the callback sweep with two schedulers on one PostgreSQL database", () => {
  let dbs: PostgresTestDatabases;
  let url: string;
  const stores: FullStore[] = [];
  beforeAll(async () => {
    dbs = await PostgresTestDatabases.create(TEST_PG_URL);
    url = await dbs.clone();
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await dbs?.drop(url);
    await dbs?.dispose();
  });

  it("lost firings fire once; claimed ones, marked ones and those outside the window not at all", async () => {
    const a = await openPostgresStore(url);
    const b = await openPostgresStore(url);
    stores.push(a, b);
    const pd: NotifierDeclaration = { notifier: "pagerduty", connection: "pd" };
    const hook: NotifierDeclaration = { notifier: "webhook", connection: "hook" };
    const version = dagVersion("etl", "v1");
    version.spec.callbacks = { onFailure: [{ kind: "notifier", notifier: pd }], onSuccess: [{ kind: "notifier", notifier: hook }] };
    version.spec.tasks = [
      {
        ...taskSpec("load"),
        retries: 1,
        callbacks: {
          onRetry: [{ kind: "notifier", notifier: hook }],
          onFailure: [{ kind: "notifier", notifier: pd }],
          onSuccess: [{ kind: "notifier", notifier: hook }],
        },
      },
    ];
    await a.saveDagVersion(version);

    const t0 = 1_800_000_000_000;
    const clock = new ManualClock(t0 + 10 * 60_000);
    const run = async (runId: string, createdAt: number) => (await a.createRun(newRun("etl", runId, { state: "running", createdAt }), [taskInstance("load")]))!;
    // Lost: a retry then a failure on try 2, and the run's failure; nobody claimed them.
    const lost = await run("lost", t0);
    await a.commit({
      taskInstances: [taskInstance("load", { runPk: lost.id, state: "failed", tryNumber: 2, maxTries: 2, endedAt: t0 + 2_000, error: "Error: bad rows" })],
      attempts: [attempt(lost.id, "load", 1, { state: "failed", endedAt: t0 + 1_000 }), attempt(lost.id, "load", 2, { state: "failed", endedAt: t0 + 2_000 })],
      runs: [{ id: lost.id, state: "failed", startedAt: t0, endedAt: t0 + 3_000 }],
    });
    // A task waiting for its retry (the retry's claim was lost).
    const retrying = await run("retrying", t0);
    await a.commit({
      taskInstances: [
        taskInstance("load", {
          runPk: retrying.id,
          state: "up_for_retry",
          tryNumber: 1,
          maxTries: 2,
          endedAt: t0 + 1_000,
          nextRetryAt: t0 + 3_600_000,
          error: "Error: flaky",
        }),
      ],
      attempts: [attempt(retrying.id, "load", 1, { state: "failed", endedAt: t0 + 1_000 })],
      runs: [{ id: retrying.id, startedAt: t0 }],
    });
    // Marked by a user: the task marked success (its attempt did not succeed), the run marked failed.
    const marked = await run("marked", t0);
    await a.commit({
      taskInstances: [taskInstance("load", { runPk: marked.id, state: "success", tryNumber: 1, endedAt: t0 + 1_000 })],
      attempts: [attempt(marked.id, "load", 1, { state: "failed", endedAt: t0 + 1_000, error: "marked success by ada" })],
      runs: [{ id: marked.id, state: "failed", startedAt: t0, endedAt: t0 + 1_000, note: "marked failed by ada" }],
    });
    // Claimed when it happened (by the scheduler that made it), which fired the task's success; it
    // died while firing the run's: that claim is left `running`, never refreshed again.
    const claimed = await run("claimed", t0);
    await a.commit({
      taskInstances: [taskInstance("load", { runPk: claimed.id, state: "success", tryNumber: 1, endedAt: t0 + 1_000 })],
      attempts: [attempt(claimed.id, "load", 1, { state: "success", endedAt: t0 + 1_000 })],
      runs: [{ id: claimed.id, state: "success", startedAt: t0, endedAt: t0 + 2_000 }],
    });
    await a.callbacks.claimCallback(
      { runPk: claimed.id, taskId: "load", mapIndex: -1, tryNumber: 1, event: "success" },
      { dagId: "etl", runId: "claimed" },
      "scheduler-0",
      t0 + 1_000,
    );
    await a.callbacks.finishCallback({ runPk: claimed.id, taskId: "load", mapIndex: -1, tryNumber: 1, event: "success" }, "ok", null, t0 + 1_100);
    await a.callbacks.claimCallback(
      { runPk: claimed.id, taskId: null, mapIndex: -1, tryNumber: 0, event: `success@${t0}` },
      { dagId: "etl", runId: "claimed" },
      "scheduler-0",
      t0 + 2_000,
    );
    // Too old: ended two days ago.
    const old = await run("old", t0 - 49 * 3_600_000);
    await a.commit({
      taskInstances: [taskInstance("load", { runPk: old.id, state: "failed", tryNumber: 1, endedAt: t0 - 48 * 3_600_000 })],
      runs: [{ id: old.id, state: "failed", startedAt: t0 - 49 * 3_600_000, endedAt: t0 - 48 * 3_600_000 }],
    });

    const parts = (store: FullStore, claimer: string) => {
      const outbox = new RecordingOutbox();
      const firer = new CallbackFirer({
        store,
        callbacks: store.callbacks,
        executor: {},
        outbox,
        routing: { policy: {}, routes: [] },
        links: { baseUrl: "http://127.0.0.1:8080" },
        logPaths: { attempt: () => "/dev/null", run: () => "/dev/null" },
        claimer,
        clock,
        logger: silentLogger,
      });
      const sweep = new CallbackSweep({
        store,
        callbacks: store.callbacks,
        fire: (f, retake) => firer.fire(f, retake),
        clock,
        logger: silentLogger,
        windowMs: 24 * 3_600_000,
        pageSize: 2,
      });
      return { outbox, firer, sweep };
    };
    const sa = parts(a, "scheduler-a");
    const sb = parts(b, "scheduler-b");
    await Promise.all([sa.sweep.sweepOnce(), sb.sweep.sweepOnce()]);
    await Promise.all([sa.firer.idle(), sb.firer.idle()]);

    expect([...sa.outbox.sent, ...sb.outbox.sent].sort()).toEqual(
      [
        "pagerduty:failure:baton/etl/load:2",
        "pagerduty:failure:baton/etl/run:0",
        "webhook:retry:baton/etl/load:1",
        // The run's success, whose claimant died mid-firing: taken over by one of the two.
        "webhook:success:baton/etl/run:0",
      ].sort(),
    );
    const log = await a.callbacks.listCallbacks({ dagId: "etl", limit: 50 });
    expect(
      log
        .filter((r) => r.runId === "lost")
        .map((r) => `${r.taskId}:${r.tryNumber}:${r.event}`)
        .sort(),
    ).toEqual([`load:2:failure`, `null:0:failure@${t0}`]);
    expect(log.filter((r) => r.runId === "retrying").map((r) => `${r.taskId}:${r.tryNumber}:${r.event}`)).toEqual(["load:1:retry"]);
    expect(log.filter((r) => r.runId === "marked" || r.runId === "old")).toEqual([]);
    const claimedLog = log.filter((r) => r.runId === "claimed").map((r) => `${r.taskId}:${r.status}:${r.claimedBy}`);
    expect(claimedLog).toHaveLength(2);
    expect(claimedLog).toContain("load:ok:scheduler-0");
    expect(claimedLog.filter((c) => /^null:ok:scheduler-[ab]$/.test(c))).toHaveLength(1);

    // Swept again: nothing new.
    expect(await sa.sweep.sweepOnce()).toBe(0);
    expect(await sb.sweep.sweepOnce()).toBe(0);
  });
});
