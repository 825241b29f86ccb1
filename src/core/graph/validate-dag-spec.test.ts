import { describe, expect, it } from "vitest";
import { DagDefinitionError } from "../errors.js";
import type { TriggerRule } from "../model/states.js";
import { makeDag, makeTask, tasksFromEdges } from "../testing/spec-builders.js";
import { validateDagSpec } from "./validate-dag-spec.js";

const messages = (spec: Parameters<typeof validateDagSpec>[0]) => validateDagSpec(spec).map((e) => e.message);

describe("validateDagSpec", () => {
  it("accepts a valid DAG", () => {
    expect(validateDagSpec(makeDag(tasksFromEdges("a>b", "a>c", "b>d", "c>d")))).toEqual([]);
  });

  it("rejects an empty or invalid dag id", () => {
    expect(messages(makeDag([], { dagId: "" }))).toEqual([expect.stringContaining('dag id "" is invalid')]);
    expect(messages(makeDag([], { dagId: "my dag" }))).toEqual([expect.stringContaining('dag id "my dag" is invalid')]);
  });

  it("rejects invalid task ids, with file and line", () => {
    const [e] = validateDagSpec(makeDag([makeTask("bad/id", { line: 12 })]));
    expect(e).toBeInstanceOf(DagDefinitionError);
    expect(e?.file).toBe("/dags/test_dag.ts");
    expect(e?.line).toBe(12);
    expect(e?.message).toMatch(/^\/dags\/test_dag\.ts:12: .*task id "bad\/id" is invalid/);
  });

  it("setup and teardown: a teardown's setups must be setup tasks of the DAG; its rule is its own; not both", () => {
    const setup = makeTask("s", { setup: true });
    const teardown = (setups: string[], extra = {}) =>
      makeTask("t", { upstream: setups, teardown: { setups, failRun: false }, triggerRule: "all_done_setup_success", ...extra });
    expect(validateDagSpec(makeDag([setup, teardown(["s"])]))).toEqual([]);
    expect(messages(makeDag([makeTask("s"), teardown(["s"])]))).toEqual([expect.stringContaining('"s" in its setups is not a setup task')]);
    expect(messages(makeDag([setup, teardown(["s"], { triggerRule: "all_done" })]))).toEqual([
      expect.stringContaining("a teardown's trigger rule is all_done_setup_success"),
    ]);
    expect(messages(makeDag([setup, teardown(["s"], { setup: true })]))).toEqual([expect.stringContaining("both a setup and a teardown")]);
    // The teardown's rule is not one a task may set.
    expect(messages(makeDag([makeTask("x", { triggerRule: "all_done_setup_success" })]))).toEqual([
      expect.stringContaining('trigger rule "all_done_setup_success" is invalid'),
    ]);
  });

  it("rejects duplicate task ids", () => {
    expect(messages(makeDag([makeTask("a"), makeTask("a")]))).toEqual([expect.stringContaining('duplicate task id "a"')]);
  });

  it("rejects an unknown upstream and lists the DAG's task ids", () => {
    const m = messages(makeDag([makeTask("a"), makeTask("b", { upstream: ["nope"] })]));
    expect(m).toEqual([expect.stringContaining('upstream "nope" is not a task of this DAG; tasks: a, b')]);
  });

  it("rejects an input from an unknown task, and one whose task is not upstream", () => {
    const m = messages(makeDag([makeTask("a"), makeTask("c"), makeTask("b", { upstream: ["a"], inputs: { x: "ghost", y: "c" } })]));
    expect(m).toEqual([
      expect.stringContaining('input "x" refers to "ghost", which is not a task of this DAG; tasks: a, c, b'),
      expect.stringContaining('input "y" comes from "c", which is not in its upstream'),
    ]);
  });

  it("rejects a task depending on itself (reported once, not also as a cycle)", () => {
    expect(messages(makeDag([makeTask("a", { upstream: ["a"] })]))).toEqual([expect.stringContaining("task depends on itself")]);
  });

  it("rejects a cycle and shows its path", () => {
    const m = messages(
      makeDag([makeTask("a", { upstream: ["c"] }), makeTask("b", { upstream: ["a"] }), makeTask("c", { upstream: ["b"] }), makeTask("d", { upstream: ["c"] })]),
    );
    expect(m).toEqual([expect.stringContaining("cycle: a → b → c → a")]);
  });

  it("reports two separate cycles", () => {
    const m = messages(makeDag([...tasksFromEdges("a>b", "b>a"), ...tasksFromEdges("x>y", "y>x")]));
    expect(m).toEqual([expect.stringContaining("cycle: a → b → a"), expect.stringContaining("cycle: x → y → x")]);
  });

  it("finds a cycle at the end of a 20,000-task chain without overflowing the stack", () => {
    const tasks = Array.from({ length: 20_000 }, (_, i) => makeTask(`t${i}`, { upstream: i === 0 ? ["t19999"] : [`t${i - 1}`] }));
    const m = messages(makeDag(tasks));
    expect(m).toHaveLength(1);
    expect(m[0]).toContain("t19999 → t0");
  });

  it("rejects retries < 0, poolSlots < 1 and an invalid trigger rule listing valid ones", () => {
    const m = messages(makeDag([makeTask("a", { retries: -1, poolSlots: 0, triggerRule: "sometimes" as TriggerRule })]));
    expect(m).toEqual([
      expect.stringContaining("retries must be 0 or more, got -1"),
      expect.stringContaining("poolSlots must be at least 1, got 0"),
      expect.stringContaining('trigger rule "sometimes" is invalid; valid rules: all_success, all_failed, all_done,'),
    ]);
  });

  it("rejects maxActiveRuns/maxActiveTasks < 1", () => {
    expect(messages(makeDag([], { maxActiveRuns: 0, maxActiveTasks: 0 }))).toEqual([
      expect.stringContaining("maxActiveRuns must be at least 1, got 0"),
      expect.stringContaining("maxActiveTasks must be at least 1, got 0"),
    ]);
  });

  it("rejects endDate before startDate", () => {
    const m = messages(makeDag([], { startDate: Date.UTC(2024, 1, 1), endDate: Date.UTC(2024, 0, 1) }));
    expect(m).toEqual([expect.stringContaining("endDate 2024-01-01T00:00:00.000Z is before startDate 2024-02-01T00:00:00.000Z")]);
  });

  it("rejects an unknown time zone and accepts IANA ones", () => {
    expect(messages(makeDag([], { timezone: "Mars/Olympus" }))).toEqual([expect.stringContaining('time zone "Mars/Olympus" is not a valid IANA time zone')]);
    expect(messages(makeDag([], { timezone: "America/New_York" }))).toEqual([]);
  });

  it("rejects an invalid cron expression", () => {
    expect(messages(makeDag([], { schedule: { kind: "cron", expression: "61 * * * *", mode: "interval" } }))).toEqual([
      expect.stringContaining('invalid cron schedule "61 * * * *"'),
    ]);
  });

  it("returns every problem at once", () => {
    const spec = makeDag([makeTask("a", { retries: -1 }), makeTask("a"), makeTask("b", { upstream: ["zz"] })], { maxActiveRuns: 0 });
    expect(validateDagSpec(spec)).toHaveLength(4);
  });
});
