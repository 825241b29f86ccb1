import { describe, expect, it } from "vitest";
import { makeDag, makeTask } from "../testing/spec-builders.js";
import { ALIVE, T0, runFacts, runRecord, ti } from "../testing/explain-facts.js";
import { explainTask } from "./explain-task.js";
import type { RunFacts } from "./explain-types.js";

const spec = makeDag([makeTask("extract"), makeTask("transform"), makeTask("load", { upstream: ["extract", "transform"] })]);
const codes = (f: RunFacts, task: string, mapIndex = -1) => explainTask(f, task, mapIndex)!.reasons.map((r) => r.code);
const reason = (f: RunFacts, task: string, code: string, mapIndex = -1) => explainTask(f, task, mapIndex)!.reasons.find((r) => r.code === code)!;
const withStates = (states: Record<string, Partial<ReturnType<typeof ti>>>, over: Partial<RunFacts> = {}) => {
  const f = runFacts(spec, over);
  return { ...f, taskInstances: f.taskInstances.map((t) => ({ ...t, ...(states[t.taskId] ?? {}) })) };
};

describe("explainTask", () => {
  it("is undefined for a task instance the run does not have", () => {
    expect(explainTask(runFacts(spec), "nope")).toBeUndefined();
    expect(explainTask(runFacts(spec), "load", 3)).toBeUndefined();
  });

  it("names the upstreams it waits for, with their states and the trigger rule", () => {
    const f = withStates({ extract: { state: "running" }, transform: { state: "success" } });
    const r = reason(f, "load", "upstream_waiting");
    expect(r.facts).toEqual({
      triggerRule: "all_success",
      waitingFor: [{ taskId: "extract", state: "running" }],
      done: [{ taskId: "transform", state: "success" }],
    });
    expect(r.message).toBe(
      'Task "load" waits for upstream "extract" (running): its trigger rule all_success needs every upstream to succeed; done so far: "transform" (success).',
    );
    expect(explainTask(f, "load")!).toMatchObject({ state: "none", running: false });
  });

  it("says the scheduler will decide a task whose upstream failed", () => {
    const f = withStates({ extract: { state: "failed" }, transform: { state: "running" } });
    expect(reason(f, "load", "upstream_will_decide").facts).toMatchObject({ decision: "upstream_failed" });
  });

  it("explains an upstream_failed task: which upstream failed and the rule", () => {
    const f = withStates({ extract: { state: "failed" }, transform: { state: "success" }, load: { state: "upstream_failed", endedAt: T0 } });
    const r = reason(f, "load", "finished");
    expect(r.message).toContain('upstream "extract" (failed) has not succeeded, and its trigger rule all_success needs every upstream to succeed');
    expect(r.facts).toMatchObject({ state: "upstream_failed", triggerRule: "all_success" });
    expect(codes(f, "load")).toEqual(["finished"]);
  });

  it("explains finished tasks: success, failure with the error, skip with its reason, removed copy", () => {
    const f = withStates({
      extract: { state: "success", endedAt: T0, tryNumber: 2, maxTries: 3 },
      transform: { state: "failed", endedAt: T0, tryNumber: 3, maxTries: 3, error: "Error: boom\n  at x" },
      load: { state: "skipped", error: "no data today" },
    });
    expect(reason(f, "extract", "finished").message).toBe('Task "extract" is finished: it succeeded at 2026-03-01T12:00:00.000Z on try 2.');
    expect(reason(f, "transform", "finished").message).toBe(
      'Task "transform" is finished: it failed at 2026-03-01T12:00:00.000Z on try 3 of 3 (no retries left): Error: boom.',
    );
    expect(reason(f, "load", "finished").message).toContain("was skipped: no data today");
    const mapped = { ...f, taskInstances: [...f.taskInstances, ti("extract", { mapIndex: 4, state: "removed" })] };
    expect(reason(mapped, "extract", "finished", 4).message).toContain("list it was mapped over got shorter");
  });

  it("is running while its attempt runs, with no reason", () => {
    expect(explainTask(withStates({ extract: { state: "running" } }), "extract")).toEqual({ state: "running", running: true, reasons: [] });
  });

  it("says when a queued task was handed to a worker", () => {
    const r = reason(withStates({ extract: { state: "queued", queuedAt: T0 - 5000, tryNumber: 1 } }), "extract", "queued_for_worker");
    expect(r.facts).toEqual({ queuedAt: "2026-03-01T11:59:55.000Z", tryNumber: 1, maxTries: 1 });
  });

  it("names the pool's holders when the pool is full", () => {
    const f = withStates(
      {},
      {
        slots: {
          pools: [{ name: "default_pool", slots: 2, description: "" }],
          busy: [
            { dagId: "other", runId: "o1", taskId: "a", mapIndex: -1, state: "running", pool: "default_pool", poolSlots: 1 },
            { dagId: "other", runId: "o1", taskId: "b", mapIndex: 2, state: "queued", pool: "default_pool", poolSlots: 1 },
            { dagId: "other", runId: "o1", taskId: "c", mapIndex: -1, state: "running", pool: "db", poolSlots: 1 },
          ],
          maxActiveTasks: 16,
        },
      },
    );
    const r = reason(f, "extract", "pool_full");
    expect(r.facts).toMatchObject({ pool: "default_pool", slots: 2, used: 2, needed: 1 });
    expect((r.facts.holders as { taskId: string }[]).map((h) => h.taskId)).toEqual(["a", "b"]);
    expect(r.message).toBe(
      'Task "extract" waits for 1 slot of pool "default_pool": 2 of its 2 are taken by "a" of other/o1 (running) and "b[2]" of other/o1 (queued).',
    );
    expect(codes(f, "extract")).toEqual(["pool_full"]);
  });

  it("says a missing pool or one too small fails the task", () => {
    const missing = withStates({ extract: { pool: "gpu" } });
    expect(codes(missing, "extract")).toEqual(["pool_missing"]);
    const small = withStates({ extract: { poolSlots: 200 } });
    expect(reason(small, "extract", "pool_too_small").facts).toEqual({ pool: "default_pool", slots: 128, needed: 200 });
  });

  it("names the task instances holding the DAG's maxActiveTasks", () => {
    const holder = { dagId: "test_dag", runId: "r0", taskId: "load", mapIndex: -1, state: "running" as const, pool: "default_pool", poolSlots: 1 };
    const f = withStates({}, { slots: { pools: [{ name: "default_pool", slots: 128, description: "" }], busy: [holder], maxActiveTasks: 1 } });
    const r = reason(f, "extract", "max_active_tasks");
    expect(r.facts).toMatchObject({ limit: 1, holders: [holder] });
  });

  it("names the running copies holding maxActiveCopies", () => {
    const mapped = makeDag([makeTask("m", { map: { over: {}, values: { x: [1, 2, 3] }, partial: {}, maxLength: 10, maxActive: 1 } })]);
    const f = runFacts(mapped);
    f.taskInstances = [ti("m", { state: "running" }), ti("m", { mapIndex: 0, state: "running" }), ti("m", { mapIndex: 1 }), ti("m", { mapIndex: 2 })];
    expect(reason(f, "m", "max_active_copies", 1).facts).toEqual({ limit: 1, activeCopies: [{ mapIndex: 0, state: "running" }] });
    const parent = explainTask(f, "m")!;
    expect(parent.running).toBe(true);
    expect(parent.reasons[0]).toMatchObject({ code: "mapped_copies", facts: { copies: 3, states: { running: 1, none: 2 } } });
  });

  it("says a ready task with free slots waits for a worker", () => {
    expect(reason(runFacts(spec), "extract", "waiting_for_worker").facts).toEqual({ pool: "default_pool", busy: 0 });
  });

  it("waits to retry until its retry time, with the last error", () => {
    const f = withStates({ extract: { state: "up_for_retry", tryNumber: 1, maxTries: 3, nextRetryAt: T0 + 300_000, error: "Error: timeout" } });
    const r = reason(f, "extract", "retry_wait");
    expect(r.facts).toEqual({ retryAt: "2026-03-01T12:05:00.000Z", tryNumber: 1, maxTries: 3, lastError: "Error: timeout" });
    expect(r.message).toBe('Task "extract" failed on try 1 of 3 and waits to retry until 2026-03-01T12:05:00.000Z (in 5 min). Last error: Error: timeout.');
  });

  it("reports a rescheduled sensor's pokes and next poke", () => {
    const f = withStates({
      extract: { state: "up_for_reschedule", nextRetryAt: T0 + 60_000, sensorWait: { firstPokeAt: T0 - 600_000, pokes: 10, trigger: null } },
    });
    expect(reason(f, "extract", "sensor_rescheduled").facts).toEqual({
      mode: "reschedule",
      pokes: 10,
      firstPokeAt: "2026-03-01T11:50:00.000Z",
      nextPokeAt: "2026-03-01T12:01:00.000Z",
      timeoutAt: null,
    });
  });

  it("reports a deferred sensor's check, pokes and timeout", () => {
    const trigger = {
      kind: "file",
      args: {},
      pokeIntervalMs: 30_000,
      exponentialBackoff: false,
      maxWaitMs: null,
      timeoutMs: 3_600_000,
      timeoutAt: T0 + 3_000_000,
      softFail: true,
      key: "k",
    };
    const f = withStates({ extract: { state: "deferred", sensorWait: { firstPokeAt: T0 - 600_000, pokes: 4, trigger } } });
    const r = reason(f, "extract", "sensor_deferred");
    expect(r.facts).toEqual({
      mode: "deferred",
      check: "file",
      pokes: 4,
      firstPokeAt: "2026-03-01T11:50:00.000Z",
      pokeIntervalMs: 30_000,
      timeoutAt: "2026-03-01T12:50:00.000Z",
      softFail: true,
    });
    expect(r.message).toContain("times out at 2026-03-01T12:50:00.000Z (in 50 min) (then skipped, softFail)");
  });

  it("names the previous run's instance that blocks depends_on_past", () => {
    const past = makeDag([makeTask("a", { dependsOnPast: true })]);
    const f = runFacts(past, {
      run: runRecord({ logicalDate: T0 - 86_400_000 }),
      previous: { runId: "scheduled__prev", logicalDate: T0 - 2 * 86_400_000, taskInstances: [{ taskId: "a", mapIndex: -1, state: "failed" }] },
    });
    expect(reason(f, "a", "depends_on_past").facts).toEqual({
      previousRunId: "scheduled__prev",
      previousLogicalDate: "2026-02-27T12:00:00.000Z",
      previousState: "failed",
    });
    const ok = { ...f, previous: { ...f.previous!, taskInstances: [{ taskId: "a", mapIndex: -1, state: "success" as const }] } };
    expect(codes(ok, "a")).toEqual(["waiting_for_worker"]);
  });

  it("names the previous run's downstreams that block wait_for_downstream", () => {
    const past = makeDag([makeTask("a", { dependsOnPast: true, waitForDownstream: true }), makeTask("b", { upstream: ["a"] })]);
    const prev = (b: "running" | "success") => ({
      runId: "scheduled__prev",
      logicalDate: T0 - 2 * 86_400_000,
      taskInstances: [
        { taskId: "a", mapIndex: -1, state: "success" as const },
        { taskId: "b", mapIndex: -1, state: b },
      ],
    });
    const f = runFacts(past, { run: runRecord({ logicalDate: T0 - 86_400_000 }), previous: prev("running") });
    const r = reason(f, "a", "depends_on_past");
    expect(r.message).toContain("wait_for_downstream");
    expect(r.facts).toMatchObject({ previousState: "success", waitingFor: [{ taskId: "b", state: "running" }] });
    expect(codes({ ...f, previous: prev("success") }, "a")).toEqual(["waiting_for_worker"]);
  });

  it("in a queued run, gives the run's reasons", () => {
    const f = runFacts(spec, {
      run: runRecord({ state: "queued", startedAt: null }),
      group: { limit: 1, backfillId: null, running: [{ runId: "r0", startedAt: T0 }], queued: [] },
    });
    expect(codes(f, "extract")).toEqual(["run_not_started", "max_active_runs"]);
  });

  it("in a finished run, says the run ended before it ran", () => {
    const f = runFacts(spec, { run: runRecord({ state: "failed", endedAt: T0, note: "run timed out" }) });
    const r = reason(f, "extract", "run_finished");
    expect(r.message).toBe('Task "extract" never ran: the run "r1" is finished: failed at 2026-03-01T12:00:00.000Z: run timed out. Clear it to run it again.');
  });

  it("adds no_scheduler when no scheduler beat recently, but not for a finished task", () => {
    const dead = { heartbeats: [{ id: "s1", at: T0 - 120_000 }], freshMs: 30_000 };
    const f = withStates({ transform: { state: "success" } }, { schedulers: dead });
    const r = reason(f, "extract", "no_scheduler");
    expect(r.facts).toMatchObject({ lastHeartbeatAt: "2026-03-01T11:58:00.000Z" });
    expect(r.message).toContain("2 min ago");
    expect(codes(f, "transform")).toEqual(["finished"]);
    expect(codes({ ...f, schedulers: ALIVE }, "extract")).not.toContain("no_scheduler");
    expect(codes({ ...f, schedulers: { heartbeats: [{ id: "s1", at: 0 }], freshMs: 30_000 } }, "extract")).toContain("no_scheduler");
  });
});

describe("explainTask: more cases", () => {
  it("waits for a branch upstream that may still skip it before deciding upstream_failed", () => {
    // "other" failed, but the branch may still skip x: x is not upstream_failed until it ends.
    const branchy = makeDag([makeTask("pick", { kind: "branch" }), makeTask("other"), makeTask("x", { upstream: ["pick", "other"] })]);
    const f = runFacts(branchy);
    f.taskInstances = [ti("pick", { state: "running" }), ti("other", { state: "failed" }), ti("x")];
    const r = reason(f, "x", "upstream_waiting");
    expect(r.message).toBe('Task "x" waits for a branch or short-circuit task upstream of it to finish: it may still skip it.');
    expect(r.facts).toMatchObject({
      triggerRule: "all_success",
      waitingFor: [{ taskId: "pick", state: "running" }],
      done: [{ taskId: "other", state: "failed" }],
    });
  });

  it("says the scheduler will skip a task a branch did not follow", () => {
    const branchy = makeDag([makeTask("pick", { kind: "branch" }), makeTask("a", { upstream: ["pick"] }), makeTask("b", { upstream: ["pick"] })]);
    const f = runFacts(branchy);
    f.taskInstances = [ti("pick", { state: "success", followed: ["a"] }), ti("a"), ti("b")];
    expect(reason(f, "b", "upstream_will_decide").facts).toMatchObject({ decision: "skipped" });
    expect(codes(f, "a")).toEqual(["waiting_for_worker"]);
  });

  it("explains a task skipped because its upstream was skipped, and one removed from the DAG", () => {
    const f = withStates({ extract: { state: "skipped" }, transform: { state: "success" }, load: { state: "skipped", endedAt: T0 } });
    expect(reason(f, "load", "finished").message).toBe(
      'Task "load" is finished: it was skipped at 2026-03-01T12:00:00.000Z: upstream "extract" was skipped (trigger rule all_success).',
    );
    expect(reason(withStates({ extract: { state: "removed" } }), "extract", "finished").message).toContain("the DAG's version no longer has it");
  });

  it("lists every limit that holds at once: pool full and maxActiveTasks", () => {
    const holder = { dagId: "test_dag", runId: "r0", taskId: "load", mapIndex: -1, state: "running" as const, pool: "default_pool", poolSlots: 1 };
    const f = withStates({}, { slots: { pools: [{ name: "default_pool", slots: 1, description: "" }], busy: [holder], maxActiveTasks: 1 } });
    expect(codes(f, "extract")).toEqual(["pool_full", "max_active_tasks"]);
    expect(reason(f, "extract", "max_active_tasks").message).toBe(
      'DAG "test_dag" allows 1 task instance at once across its runs (maxActiveTasks) and "load" of test_dag/r0 (running) takes them: Task "extract" starts when one ends.',
    );
  });

  it("explains a copy waiting for a retry, and a mapped task with no waiting copy", () => {
    const mapped = makeDag([makeTask("m", { map: { over: {}, values: { x: [1, 2] }, partial: {}, maxLength: 10, maxActive: null } })]);
    const f = runFacts(mapped);
    f.taskInstances = [ti("m", { state: "running" }), ti("m", { mapIndex: 0, state: "success" }), ti("m", { mapIndex: 1, state: "running" })];
    expect(explainTask(f, "m")!.reasons[0]!.facts).toEqual({ copies: 2, states: { success: 1, running: 1 }, firstWaitingCopy: null });
    f.taskInstances[2] = ti("m", { mapIndex: 1, state: "up_for_retry", tryNumber: 1, maxTries: 2, nextRetryAt: T0 + 60_000 });
    const parent = explainTask(f, "m")!;
    expect(parent.running).toBe(false);
    expect(parent.reasons[0]!.message).toContain('Copy 1 of task "m" failed on try 1 of 2 and waits to retry until 2026-03-01T12:01:00.000Z (in 1 min)');
  });
});
