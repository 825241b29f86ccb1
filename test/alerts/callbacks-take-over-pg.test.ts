import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallbackFirer } from "../../src/alerts/callbacks/callback-firer.js";
import type { NotifierDeclaration } from "../../src/core/model/alerts.js";
import { RecordingOutbox } from "../../src/alerts/testing/recording-outbox.js";
import type { DomainEvent } from "../../src/core/model/domain-events.js";
import { ManualClock } from "../../src/core/testing/manual-clock.js";
import { silentLogger } from "../../src/core/ports/logger.js";
import { dagVersion, newRun, taskSpec } from "../../src/store/contract/fixtures.js";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../../src/store/contract/postgres-test-databases.js";
import type { FullStore } from "../../src/store/full-store.js";
import { openPostgresStore } from "../../src/store/postgres/open-postgres-store.js";

// Two schedulers on one real PostgreSQL database (each its own connection pool), as when one
// adopts the other's runs (docs/adr/0007) or a try runs again under the same number: both hear
// the same transitions, and the claims in `callback_claims` and `alert_incidents` let exactly one
// fire each callback and send each alert.

const unreachable = await probePostgres(TEST_PG_URL);
if (unreachable !== undefined) console.warn(`Skipping the two-scheduler callback test: no PostgreSQL at ${TEST_PG_URL} (${unreachable}).`);

describe.skipIf(unreachable !== undefined)("callbacks with two schedulers on one PostgreSQL database", () => {
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

  it("each transition's callbacks fire once, the policy alerts once and the recovery resolves once", async () => {
    const a = await openPostgresStore(url);
    const b = await openPostgresStore(url);
    stores.push(a, b);
    const pd: NotifierDeclaration = { notifier: "pagerduty", connection: "pd" };
    const hook: NotifierDeclaration = { notifier: "webhook", connection: "hook" };
    const version = dagVersion("etl", "v1");
    version.spec.alertPolicy = { afterConsecutiveFailures: 1, notify: [{ notifier: "slack", connection: "oncall" }] };
    version.spec.tasks = [
      { ...taskSpec("load"), retries: 1, callbacks: { onRetry: [{ kind: "notifier", notifier: hook }], onFailure: [{ kind: "notifier", notifier: pd }] } },
    ];
    await a.saveDagVersion(version);
    const run1 = (await a.createRun(newRun("etl", "r1", { state: "running" }), []))!;
    const run2 = (await a.createRun(newRun("etl", "r2", { state: "running" }), []))!;

    const clock = new ManualClock(1_700_000_000_000);
    const firer = (store: FullStore, outbox: RecordingOutbox, claimer: string) =>
      new CallbackFirer({
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
    const outA = new RecordingOutbox();
    const outB = new RecordingOutbox();
    const firers = [firer(a, outA, "scheduler-a"), firer(b, outB, "scheduler-b")];
    const hear = async (events: DomainEvent[]) => {
      for (const e of events) for (const f of firers) f.listener(e);
      await Promise.all(firers.map((f) => f.idle()));
    };
    const ti = (runPk: number, runId: string, tryNumber: number, before: "running", after: "up_for_retry" | "failed" | "success"): DomainEvent => ({
      kind: "task_instance_state_changed",
      dagId: "etl",
      runId,
      runPk,
      taskId: "load",
      mapIndex: -1,
      tryNumber,
      before,
      after,
      at: clock.now(),
      error: after === "success" ? null : "Error: bad rows\n    at load (dags/etl.ts:3:9)",
    });

    await hear([ti(run1.id, "r1", 1, "running", "up_for_retry"), ti(run1.id, "r1", 2, "running", "failed")]);
    await a.commit({ runs: [{ id: run1.id, state: "failed", startedAt: 1, endedAt: 2 }] });
    await hear([{ kind: "run_state_changed", dagId: "etl", runId: "r1", runPk: run1.id, before: "running", after: "failed", at: clock.now(), note: null }]);
    // The same try heard again (a try that ran twice under one number, or a replay): nothing more.
    await hear([ti(run1.id, "r1", 2, "running", "failed")]);

    await b.commit({ runs: [{ id: run2.id, state: "success", startedAt: 3, endedAt: 4 }] });
    await hear([
      ti(run2.id, "r2", 1, "running", "success"),
      { kind: "run_state_changed", dagId: "etl", runId: "r2", runPk: run2.id, before: "running", after: "success", at: clock.now(), note: null },
    ]);

    const all = [...outA.sent, ...outB.sent].sort();
    expect(all).toEqual(
      [
        "webhook:retry:baton/etl/load:1",
        "pagerduty:failure:baton/etl/load:2",
        "slack:failure:baton/etl/run:0",
        "pagerduty:recovered:baton/etl/load:1",
        "slack:recovered:baton/etl/run:0",
      ].sort(),
    );
    const log = await a.callbacks.listCallbacks({ dagId: "etl", limit: 20 });
    expect(log).toHaveLength(5);
    expect(log.every((r) => r.status === "ok")).toBe(true);
  });
});
