import { describe, expect, it } from "vitest";
import type { DagSpec, TaskSpec } from "../model/dag-spec.js";
import type { TaskInstanceStateChanged } from "../model/domain-events.js";
import { callbacksOf, firingOf } from "./callback-firing.js";

const ti = (
  before: TaskInstanceStateChanged["before"],
  after: TaskInstanceStateChanged["after"],
  extra: Partial<TaskInstanceStateChanged> = {},
): TaskInstanceStateChanged => ({
  kind: "task_instance_state_changed",
  dagId: "d",
  runId: "r",
  runPk: 1,
  taskId: "t",
  mapIndex: -1,
  tryNumber: 1,
  before,
  after,
  at: 5,
  error: null,
  ...extra,
});

describe("firingOf", () => {
  it("maps transitions to callback events", () => {
    expect(firingOf(ti("running", "up_for_retry"))?.event).toBe("retry");
    expect(firingOf(ti("running", "failed"))?.event).toBe("failure");
    expect(firingOf(ti("none", "upstream_failed"))?.event).toBe("failure");
    expect(firingOf(ti("running", "success"))?.event).toBe("success");
    expect(firingOf(ti("queued", "running"))?.event).toBe("execute");
    expect(firingOf(ti("none", "skipped"))?.event).toBe("skipped");
    expect(
      firingOf({ kind: "run_state_changed", dagId: "d", runId: "r", runPk: 1, before: "running", after: "failed", at: 5, note: "deadlocked" }),
    ).toMatchObject({ event: "failure", taskId: null, tryNumber: 0, error: "deadlocked" });
  });

  it("fires nothing for a user's mark, a run starting, a deferred sensor resuming or a scheduled instance", () => {
    expect(firingOf(ti("running", "failed", { cause: "user" }))).toBeNull();
    expect(
      firingOf({
        kind: "run_state_changed",
        dagId: "d",
        runId: "r",
        runPk: 1,
        before: "running",
        after: "success",
        at: 5,
        note: "marked success",
        cause: "user",
      }),
    ).toBeNull();
    expect(firingOf({ kind: "run_state_changed", dagId: "d", runId: "r", runPk: 1, before: "queued", after: "running", at: 5, note: null })).toBeNull();
    expect(firingOf(ti("deferred", "running"))).toBeNull();
    expect(firingOf(ti("none", "scheduled"))).toBeNull();
  });
});

describe("callbacksOf", () => {
  const task = (taskId: string, extra: Partial<TaskSpec> = {}) => ({ taskId, ...extra }) as TaskSpec;
  const hook = { kind: "notifier" as const, notifier: { notifier: "webhook" as const, connection: "h" } };
  const fn = (index: number) => ({ kind: "function" as const, index, name: null });
  const spec = {
    callbacks: { onRetry: [fn(0)], onFailure: [fn(1)] },
    tasks: [
      task("t", { callbacks: { onRetry: [hook] } }),
      task("m", { map: { over: {}, values: {}, partial: {}, maxLength: 5, maxActive: null }, callbacks: { onFailure: [hook] } }),
    ],
  } as unknown as DagSpec;

  it("a task instance gets the DAG's onRetry/onExecute/onSkipped first, then its own; the DAG's onFailure is the run's", () => {
    expect(callbacksOf(spec, firingOf(ti("running", "up_for_retry"))!)).toEqual([fn(0), hook]);
    expect(callbacksOf(spec, firingOf(ti("running", "failed"))!)).toEqual([]);
    expect(callbacksOf(spec, { ...firingOf(ti("running", "failed"))!, taskId: null })).toEqual([fn(1)]);
  });

  it("a mapped task fires for its copies, and for itself only when it ends without copies", () => {
    expect(callbacksOf(spec, firingOf(ti("running", "failed", { taskId: "m", mapIndex: 2 }))!)).toEqual([hook]);
    expect(callbacksOf(spec, firingOf(ti("running", "failed", { taskId: "m" }))!)).toEqual([]);
    expect(callbacksOf(spec, firingOf(ti("none", "upstream_failed", { taskId: "m" }))!)).toEqual([hook]);
  });
});
