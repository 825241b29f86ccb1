import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../core/model/domain-events.js";
import type { TaskState } from "../core/model/states.js";
import { PlannedIds, RunSpans } from "./run-spans.js";
import { attemptSpanIdOf, traceIdOf } from "./span-ids.js";
import { traceparentForAttempt } from "./traced-executor.js";

/** A RunSpans as one scheduler holds it, exporting into memory. */
function scheduler(exporter = new InMemorySpanExporter()) {
  const ids = new PlannedIds();
  const provider = new BasicTracerProvider({ idGenerator: ids, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const spans = new RunSpans(provider.getTracer("test"), ids, "baton");
  const feed = (...events: DomainEvent[]) => {
    for (const e of events) spans.listener(e);
    spans.drain();
  };
  return { spans, exporter, feed, finished: () => exporter.getFinishedSpans() };
}

const ref = { dagId: "etl", runId: "manual__1", runPk: 7 };
const run = (
  before: "queued" | "running" | "success" | "failed",
  after: "queued" | "running" | "success" | "failed",
  at: number,
  note: string | null = null,
): DomainEvent => ({
  kind: "run_state_changed",
  ...ref,
  before,
  after,
  at,
  note,
});
const ti = (taskId: string, before: TaskState, after: TaskState, at: number, tryNumber: number, error: string | null = null): DomainEvent => ({
  kind: "task_instance_state_changed",
  ...ref,
  taskId,
  mapIndex: -1,
  tryNumber,
  before,
  after,
  at,
  error,
});
const attempt = (taskId: string, before: TaskState | null, after: TaskState, at: number, tryNumber: number, error: string | null = null): DomainEvent => ({
  kind: "attempt_state_changed",
  ...ref,
  taskId,
  mapIndex: -1,
  tryNumber,
  before,
  after,
  at,
  error,
});

const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;

describe("RunSpans", () => {
  it("queues events in the listener and makes spans only when drained", () => {
    const s = scheduler();
    s.spans.listener(run("queued", "running", 1000));
    expect(s.spans.openSpans).toBe(0);
    s.spans.drain();
    expect(s.spans.openSpans).toBe(1);
  });

  it("builds run → task → attempt with the events' times; the attempt's id is the traceparent the worker was given", () => {
    const s = scheduler();
    s.feed(
      run("queued", "running", 1000),
      ti("a", "none", "scheduled", 1001, 0),
      ti("a", "scheduled", "queued", 1002, 1),
      attempt("a", null, "running", 1003, 1),
      ti("a", "queued", "running", 1003, 1),
      attempt("a", "running", "success", 1050, 1),
      ti("a", "running", "success", 1050, 1),
      run("running", "success", 1060),
    );
    const spans = s.finished();
    const [r] = byName(spans, "run etl");
    const [t] = byName(spans, "task a");
    const [a] = byName(spans, "attempt a");
    expect(r!.parentSpanId).toBeUndefined();
    expect(t!.parentSpanId).toBe(r!.spanContext().spanId);
    expect(a!.parentSpanId).toBe(t!.spanContext().spanId);
    expect(new Set(spans.map((x) => x.spanContext().traceId))).toEqual(new Set([traceIdOf("baton", 7, "etl", "manual__1")]));
    expect([ms(r!.startTime), ms(r!.endTime), ms(t!.startTime), ms(t!.endTime), ms(a!.startTime), ms(a!.endTime)]).toEqual([
      1000, 1060, 1001, 1050, 1003, 1050,
    ]);
    expect(t!.events.map((e) => e.name)).toEqual(["queued", "running", "success"]);
    const request = { runPk: 7, taskId: "a", mapIndex: -1, tryNumber: 1, context: { dagId: "etl", runId: "manual__1" } } as Parameters<
      typeof traceparentForAttempt
    >[1];
    expect(traceparentForAttempt("baton", request)).toBe(`00-${a!.spanContext().traceId}-${a!.spanContext().spanId}-01`);
    expect(s.spans.openSpans).toBe(0);
  });

  it("a failed try and its retry: two attempt spans with error status and exception events; the task instance fails once", () => {
    const s = scheduler();
    s.feed(
      run("queued", "running", 0),
      ti("a", "none", "queued", 1, 1),
      attempt("a", null, "running", 2, 1),
      attempt("a", "running", "failed", 3, 1, "Error: boom\n    at task (dag.ts:3:9)"),
      ti("a", "running", "up_for_retry", 3, 1, "Error: boom"),
      ti("a", "up_for_retry", "queued", 4, 2),
      attempt("a", null, "running", 5, 2),
      attempt("a", "running", "failed", 6, 2, "Error: boom again"),
      ti("a", "running", "failed", 6, 2, "Error: boom again"),
      run("running", "failed", 7, null),
    );
    const spans = s.finished();
    const attempts = byName(spans, "attempt a");
    expect(attempts.map((a) => [a.attributes["baton.try_number"], a.status.code, a.status.message])).toEqual([
      [1, 2, "Error: boom"],
      [2, 2, "Error: boom again"],
    ]);
    expect(attempts[0]!.events.find((e) => e.name === "exception")?.attributes?.["exception.stacktrace"]).toContain("dag.ts:3:9");
    const [t] = byName(spans, "task a");
    expect(t!.attributes).toMatchObject({ "baton.state": "failed", "baton.try_number": 2 });
    expect(t!.status.code).toBe(2);
    expect(byName(spans, "run etl")[0]!.status).toMatchObject({ code: 2, message: "run failed" });
  });

  it("a scheduler adopting a run mid-way records the spans it did not see start under the ids the first one used", () => {
    const first = scheduler();
    first.feed(
      run("queued", "running", 0),
      ti("a", "none", "queued", 1, 1),
      attempt("a", null, "running", 2, 1),
      attempt("a", "running", "failed", 3, 1, "lost"),
    );
    // The first scheduler dies: its run and task spans were never ended, so never exported.
    const exportedByFirst = first.finished();
    expect(exportedByFirst.map((x) => x.name)).toEqual(["attempt a"]);

    const second = scheduler();
    second.feed(
      ti("a", "up_for_retry", "queued", 10, 2),
      attempt("a", null, "running", 11, 2),
      attempt("a", "running", "success", 12, 2),
      ti("a", "running", "success", 12, 2),
      run("running", "success", 13),
    );
    const spans = second.finished();
    const [t] = byName(spans, "task a");
    const [r] = byName(spans, "run etl");
    expect(exportedByFirst[0]!.parentSpanId).toBe(t!.spanContext().spanId);
    expect(t!.parentSpanId).toBe(r!.spanContext().spanId);
    expect(t!.attributes["baton.start_unknown"]).toBe(true);
    expect(r!.attributes["baton.start_unknown"]).toBe(true);
    expect(byName(spans, "attempt a")[0]!.spanContext().spanId).toBe(attemptSpanIdOf(r!.spanContext().traceId, "a", -1, 2));
  });

  it("a cleared run runs again in the same trace under new run and task span ids", () => {
    const s = scheduler();
    const once = (t0: number, tryNumber: number, from: TaskState) => [
      ti("a", from, "queued", t0 + 1, tryNumber - 1),
      attempt("a", null, "running", t0 + 2, tryNumber),
      attempt("a", "running", "success", t0 + 3, tryNumber),
      ti("a", "queued", "success", t0 + 3, tryNumber),
    ];
    s.feed(run("queued", "running", 0), ...once(0, 1, "none"), run("running", "success", 5));
    s.feed(
      ti("a", "success", "none", 20, 1),
      run("success", "queued", 20),
      run("queued", "running", 21),
      ...once(21, 2, "none"),
      run("running", "success", 30),
    );
    const spans = s.finished();
    expect(byName(spans, "run etl")).toHaveLength(2);
    expect(byName(spans, "task a")).toHaveLength(2);
    expect(new Set(spans.map((x) => x.spanContext().traceId)).size).toBe(1);
    expect(new Set(spans.map((x) => x.spanContext().spanId)).size).toBe(spans.length);
    const [r1, r2] = byName(spans, "run etl");
    const [t1, t2] = byName(spans, "task a");
    expect([t1!.parentSpanId, t2!.parentSpanId]).toEqual([r1!.spanContext().spanId, r2!.spanContext().spanId]);
  });

  it("a missed deadline is an event on the run's span, or on the late attempt's", () => {
    const s = scheduler();
    const missed = (taskId: string | null, tryNumber: number, at: number): DomainEvent => ({
      kind: "deadline_missed",
      ...ref,
      taskId,
      mapIndex: -1,
      tryNumber,
      deadline: "queuedAt + 1m",
      dueAt: 60_000,
      at,
    });
    s.feed(run("queued", "running", 0), ti("a", "none", "queued", 1, 1), attempt("a", null, "running", 2, 1), missed(null, 0, 60_001), missed("a", 1, 60_002));
    s.feed(attempt("a", "running", "success", 70_000, 1), ti("a", "queued", "success", 70_000, 1), run("running", "success", 70_001));
    const spans = s.finished();
    const eventOf = (name: string) => byName(spans, name)[0]!.events.find((e) => e.name === "deadline_missed");
    expect(eventOf("run etl")?.attributes).toEqual({ "baton.deadline": "queuedAt + 1m", "baton.deadline.due_at": "1970-01-01T00:01:00.000Z" });
    expect(ms(eventOf("run etl")!.time)).toBe(60_001);
    expect(eventOf("attempt a")).toBeDefined();
    expect(eventOf("task a")).toBeUndefined();
  });

  it("a run that ends closes the spans of its task instances that got no end event, so nothing is held", () => {
    const s = scheduler();
    s.feed(run("queued", "running", 0), ti("a", "none", "queued", 1, 1), attempt("a", null, "running", 2, 1), run("running", "failed", 9, "run timed out"));
    expect(s.spans.openSpans).toBe(0);
    const spans = s.finished();
    expect(
      spans
        .filter((x) => x.attributes["baton.ended_with_run"] === true)
        .map((x) => x.name)
        .sort(),
    ).toEqual(["attempt a", "task a"]);
    expect(byName(spans, "run etl")[0]!.status).toMatchObject({ code: 2, message: "run timed out" });
  });
});
