import { describe, expect, it } from "vitest";
import { makeDag, makeTask } from "../testing/spec-builders.js";
import { T0, runFacts, runRecord, ti } from "../testing/explain-facts.js";
import { explainRun } from "./explain-run.js";
import type { RunFacts } from "./explain-types.js";

const spec = makeDag([makeTask("a"), makeTask("b", { upstream: ["a"] })], { maxActiveRuns: 2 });
const queued = (over: Partial<RunFacts> = {}) => runFacts(spec, { run: runRecord({ state: "queued", startedAt: null, logicalDate: T0 - 3_600_000 }), ...over });
const codes = (f: RunFacts) => explainRun(f).reasons.map((r) => r.code);

describe("explainRun: a queued run", () => {
  it("names the runs holding max active runs", () => {
    const f = queued({
      group: {
        limit: 2,
        backfillId: null,
        running: [
          { runId: "r8", startedAt: T0 - 10_000 },
          { runId: "r9", startedAt: null },
        ],
        queued: [],
      },
    });
    const r = explainRun(f).reasons[0]!;
    expect(r.code).toBe("max_active_runs");
    expect(r.facts).toEqual({
      limit: 2,
      backfillId: null,
      activeRuns: [
        { runId: "r8", startedAt: "2026-03-01T11:59:50.000Z" },
        { runId: "r9", startedAt: null },
      ],
    });
    expect(r.message).toBe('DAG "test_dag" allows 2 active runs (maxActiveRuns) and runs r8 and r9 hold them: a queued run starts when one of them finishes.');
    expect(explainRun(f)).toMatchObject({ state: "queued", running: false });
  });

  it("names a backfill's limit", () => {
    const f = queued({ group: { limit: 1, backfillId: 7, running: [{ runId: "backfill__1", startedAt: T0 }], queued: [] } });
    expect(explainRun(f).reasons[0]!.message).toContain("backfill 7 of DAG");
  });

  it("says its backfill is paused (and nothing about the scheduler's tick); a DAG's own run never is", () => {
    const f = queued({
      run: runRecord({ state: "queued", startedAt: null, backfillId: 7 }),
      group: { limit: 2, backfillId: 7, paused: true, running: [], queued: [] },
    });
    expect(codes(f)).toEqual(["backfill_paused"]);
    const r = explainRun(f).reasons[0]!;
    expect(r.facts).toEqual({ backfillId: 7, paused: true });
    expect(r.message).toBe(
      'Backfill 7 of DAG "test_dag" is paused: none of its queued runs starts until it is unpaused (`baton backfills unpause 7` or Resume on the Backfills page); its running runs go on.',
    );
    expect(codes(queued({ group: { limit: 2, backfillId: 7, paused: false, running: [], queued: [] } }))).toEqual(["waiting_for_scheduler_tick"]);
  });

  it("says it is queued behind older runs that fill the limit", () => {
    const ahead = { runId: "r0", logicalDate: T0 - 7_200_000, runAfter: T0 - 7_000_000 };
    const f = queued({
      group: {
        limit: 2,
        backfillId: null,
        running: [{ runId: "r8", startedAt: T0 }],
        queued: [ahead, { runId: "r1", logicalDate: T0 - 3_600_000, runAfter: T0 - 60_000 }],
      },
    });
    expect(codes(f)).toEqual(["queued_behind"]);
    expect(explainRun(f).reasons[0]!.facts).toEqual({ limit: 2, running: 1, ahead: [{ runId: "r0", logicalDate: "2026-03-01T10:00:00.000Z" }] });
  });

  it("lists the runs ahead of it also when the limit is full", () => {
    const f = queued({
      group: {
        limit: 1,
        backfillId: null,
        running: [{ runId: "r8", startedAt: T0 }],
        queued: [
          { runId: "r0", logicalDate: 0, runAfter: 0 },
          { runId: "r1", logicalDate: 1, runAfter: 1 },
        ],
      },
    });
    expect(codes(f)).toEqual(["max_active_runs", "queued_behind"]);
  });

  it("says paused, not due, version missing", () => {
    const f = queued({ run: runRecord({ state: "queued", runAfter: T0 + 3_600_000 }), version: undefined, dag: { ...runFacts(spec).dag!, paused: true } });
    expect(codes(f)).toEqual(["dag_paused", "dag_version_missing", "run_not_due"]);
    expect(explainRun(f).reasons[2]!.message).toBe("The run is not due before 2026-03-01T13:00:00.000Z (in 1 h) (its data interval has not ended).");
  });

  it("waits for the scheduler's tick when nothing holds it back, or says no scheduler is alive", () => {
    const f = queued({ group: { limit: 2, backfillId: null, running: [], queued: [] } });
    expect(codes(f)).toEqual(["waiting_for_scheduler_tick"]);
    expect(codes({ ...f, schedulers: { heartbeats: [], freshMs: 30_000, leases: [] } })).toEqual(["no_scheduler"]);
    expect(explainRun({ ...f, schedulers: { heartbeats: [], freshMs: 30_000 } }).reasons[0]!.message).toContain(
      "no scheduler has ever beaten on this database",
    );
  });
});

describe("explainRun: a running run", () => {
  it("lists each waiting task with its own reasons, and is running while a task runs", () => {
    const f = runFacts(spec);
    f.taskInstances = [ti("a", { state: "running" }), ti("b")];
    const e = explainRun(f);
    expect(e.running).toBe(true);
    expect(e.reasons).toHaveLength(1);
    expect(e.reasons[0]).toMatchObject({ code: "task_waiting", facts: { taskId: "b", state: "none", reasons: [{ code: "upstream_waiting" }] } });
    expect(e.reasons[0]!.message).toBe('Task "b" waits for upstream "a" (running): its trigger rule all_success needs every upstream to succeed.');
  });

  it("is not running when every task waits (retry)", () => {
    const f = runFacts(spec);
    f.taskInstances = [ti("a", { state: "up_for_retry", tryNumber: 1, maxTries: 2, nextRetryAt: T0 + 1000 }), ti("b")];
    const e = explainRun(f);
    expect(e.running).toBe(false);
    expect(e.reasons.map((r) => (r.facts as { reasons: { code: string }[] }).reasons[0]!.code)).toEqual(["retry_wait", "upstream_waiting"]);
  });

  it("detects a deadlock: nothing active and nothing can start", () => {
    const rules = makeDag([
      makeTask("a"),
      makeTask("b", { upstream: ["a"], triggerRule: "all_failed" }),
      makeTask("c", { upstream: ["b"], triggerRule: "one_failed" }),
    ]);
    const f = runFacts(rules);
    // c waits for b which is stuck in none although decidable: emulate a run whose b was cleared to none while a is done.
    f.taskInstances = [ti("a", { state: "success" }), ti("b", { state: "none" }), ti("c", { state: "none" })];
    // all_failed with a success upstream decides "skip": not a deadlock.
    expect(codes(f)).not.toContain("deadlocked");
    const stuck = makeDag([makeTask("a"), makeTask("b", { upstream: ["a"], dependsOnPast: true })]);
    const g = runFacts(stuck, {
      run: runRecord({ logicalDate: T0 }),
      previous: { runId: "p", logicalDate: T0 - 1, taskInstances: [{ taskId: "b", mapIndex: -1, state: "failed" }] },
    });
    g.taskInstances = [ti("a", { state: "success" }), ti("b")];
    // Blocked by depends_on_past is waiting, not deadlocked.
    expect(codes(g)).toEqual(["task_waiting"]);
  });

  it("reports deadlocked when remaining tasks wait on an upstream that can never finish", () => {
    const cyc = makeDag([makeTask("a"), makeTask("b", { upstream: ["a"] })]);
    const f = runFacts(cyc);
    // An upstream stuck in "none" with no way to be decided: a task missing from the graph views.
    f.taskInstances = [ti("b")];
    f.version = { ...f.version!, spec: { ...cyc, tasks: [makeTask("a", { upstream: ["b"] }), makeTask("b", { upstream: ["a"] })] } };
    expect(codes(f)).toContain("deadlocked");
    const r = explainRun(f).reasons.find((x) => x.code === "deadlocked")!;
    expect(r.facts).toEqual({ tasks: ["a", "b"] });
  });
});

describe("explainRun: a finished run", () => {
  it("gives the final state and the failed tasks", () => {
    const f = runFacts(spec, { run: runRecord({ state: "failed", endedAt: T0 }) });
    f.taskInstances = [ti("a", { state: "failed" }), ti("b", { state: "upstream_failed" })];
    const e = explainRun(f);
    expect(e).toMatchObject({ state: "failed", running: false });
    expect(e.reasons).toEqual([
      {
        code: "run_finished",
        message: 'The run "r1" is finished: failed at 2026-03-01T12:00:00.000Z: task "a" failed. Clear it to run it again.',
        facts: { runId: "r1", state: "failed", endedAt: "2026-03-01T12:00:00.000Z", note: null, failedTasks: ["a"] },
      },
    ]);
  });

  it("gives the note of a deadlocked run and never adds no_scheduler", () => {
    const f = runFacts(spec, {
      run: runRecord({ state: "failed", endedAt: T0, note: "deadlocked: no task can make progress" }),
      schedulers: { heartbeats: [], freshMs: 1 },
    });
    expect(explainRun(f).reasons.map((r) => r.message)).toEqual([
      'The run "r1" is finished: failed at 2026-03-01T12:00:00.000Z: deadlocked: no task can make progress. Clear it to run it again.',
    ]);
  });
});
