import { INVALID_SPAN_CONTEXT, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { DagDefinitionError, FailTask } from "../core/errors.js";
import type { TaskContext } from "./context.js";
import { isDagDefinition } from "./definition.js";
import { chain, dag, shell, task, z } from "./index.js";

const HERE = new URL(import.meta.url).pathname;

function ctx(over: Partial<TaskContext> = {}): TaskContext {
  const logicalDate = new Date(Date.UTC(2026, 0, 2));
  return {
    dagId: "d",
    runId: "scheduled__2026-01-02",
    taskId: "t",
    runType: "scheduled",
    logicalDate,
    dataInterval: { start: logicalDate, end: new Date(Date.UTC(2026, 0, 3)) },
    ds: "2026-01-02",
    ts: "2026-01-02T00:00:00+00:00",
    params: {},
    conf: {},
    prevSuccess: null,
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 1,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    signal: new AbortController().signal,
    connection: async (id) => {
      throw new Error(`no connection ${id} in this test`);
    },
    variable: async (key) => {
      throw new Error(`no variable ${key} in this test`);
    },
    trace: { traceparent: null, span: async (_name, fn) => fn(trace.wrapSpanContext(INVALID_SPAN_CONTEXT)) },
    metric: () => {},
    ...over,
  };
}

describe("dag().toSpec()", () => {
  it("a manual-only DAG may have params without default (required when triggered, as in Airflow)", () => {
    const spec = dag({ id: "manual", params: z.object({ table: z.string(), limit: z.number().default(10), note: z.string().optional() }) }, (d) => {
      d.task("a", () => 1);
    }).toSpec();
    expect(spec.paramsDefaults).toEqual({ limit: 10 });
    expect(spec.paramsSchema).toMatchObject({ required: ["table"] });
  });

  it("waitForDownstream implies dependsOnPast and is stored only when set", () => {
    const def = dag({ id: "past", defaults: { dependsOnPast: false } }, (d) => {
      d.task("a", { waitForDownstream: true }, () => 1);
      d.task("b", { dependsOnPast: true }, () => 2);
    });
    const [a, b] = def.toSpec().tasks;
    expect(a).toMatchObject({ dependsOnPast: true, waitForDownstream: true });
    expect(b!.dependsOnPast).toBe(true);
    expect(b).not.toHaveProperty("waitForDownstream");
    const bad = dag({ id: "bad" }, (d) => {
      d.task("a", { waitForDownstream: "yes" as never }, () => 1);
    });
    expect(() => bad.toSpec()).toThrow(/waitForDownstream/);
  });

  it("applies Baton's defaults, the DAG's task defaults and each task's options", () => {
    const def = dag({ id: "defaults", defaults: { retries: 2, retryDelay: "30s" } }, (d) => {
      d.task("a", () => 1);
      d.task("b", { retries: 5, timeout: "1m", triggerRule: "all_done", pool: "db", poolSlots: 2, after: "a" }, () => 2);
    });
    expect(isDagDefinition(def)).toBe(true);
    const spec = def.toSpec();
    expect(spec).toMatchObject({
      dagId: "defaults",
      schedule: { kind: "none" },
      timezone: "UTC",
      catchup: false,
      maxActiveRuns: 16,
      maxActiveTasks: 16,
      runTimeoutMs: null,
      paramsSchema: {},
      paramsDefaults: {},
    });
    expect(spec.tasks[0]).toEqual({
      taskId: "a",
      kind: "function",
      upstream: [],
      inputs: {},
      retries: 2,
      retryDelayMs: 30_000,
      retryExponentialBackoff: false,
      maxRetryDelayMs: null,
      executionTimeoutMs: null,
      triggerRule: "all_success",
      pool: "default_pool",
      poolSlots: 1,
      priorityWeight: 1,
      dependsOnPast: false,
      command: null,
      line: expect.any(Number),
      doc: null,
      inlets: [],
      outlets: [],
    });
    expect(spec.tasks[1]).toMatchObject({
      retries: 5,
      retryDelayMs: 30_000,
      executionTimeoutMs: 60_000,
      triggerRule: "all_done",
      pool: "db",
      poolSlots: 2,
      upstream: ["a"],
    });
  });

  it("uses Airflow's retry delay of 300 s when nothing is set", () => {
    const spec = dag({ id: "plain" }, (d) => void d.task("a", () => 1)).toSpec();
    expect(spec.tasks[0]).toMatchObject({ retries: 0, retryDelayMs: 300_000 });
  });

  it("serializes schedule, dates and params (JSON Schema plus validated defaults)", () => {
    const spec = dag(
      {
        id: "sched",
        schedule: "0 6 * * 1-5",
        scheduleMode: "trigger",
        startDate: "2026-01-01",
        timezone: "Europe/Paris",
        catchup: true,
        tags: ["etl"],
        owner: "data-team",
        runTimeout: "2h",
        params: z.object({ region: z.enum(["eu", "us"]).default("eu"), limit: z.number().optional() }),
      },
      () => {},
    ).toSpec();
    expect(spec.schedule).toEqual({ kind: "cron", expression: "0 6 * * 1-5", mode: "trigger" });
    expect(spec.startDate).toBe(Date.UTC(2025, 11, 31, 23)); // midnight in Paris
    expect(spec.runTimeoutMs).toBe(7_200_000);
    expect(spec.paramsDefaults).toEqual({ region: "eu" });
    expect(spec.paramsSchema).toMatchObject({ type: "object", properties: { region: { enum: ["eu", "us"], default: "eu" } } });
  });

  it("records the source line of each task call", () => {
    const line = Number(new Error().stack!.split("\n")[1]!.match(/:(\d+):\d+\)?$/)![1]);
    const spec = dag({ id: "lines" }, (d) => {
      d.task("a", () => 1); // line + 2
      d.task("b", () => 1); // line + 3
    }).toSpec();
    expect(spec.tasks.map((t) => t.line)).toEqual([line + 2, line + 3]);
  });

  it("connects dependencies with inputs, after, then() and chain()", () => {
    const spec = dag({ id: "deps" }, (d) => {
      const a = d.task("a", () => 1);
      const b = d.task("b", { inputs: { x: a } }, (_c, { x }) => x);
      const c = d.task("c", () => 1);
      const e = d.task("e", { after: [a, "b"] }, () => 1);
      const f = d.task("f", () => 1);
      const g = d.task("g", () => 1);
      expect(c.then([f, g])).toEqual([f, g]);
      expect(a.then(c)).toBe(c);
      g.after(e);
      chain(a, [b, c], [f, g], e);
    }).toSpec();
    const up = Object.fromEntries(spec.tasks.map((t) => [t.taskId, t.upstream]));
    expect(up).toEqual({ a: [], b: ["a"], c: ["a"], e: ["a", "b", "f", "g"], f: ["c", "b"], g: ["c", "e"] });
    expect(spec.tasks[1]!.inputs).toEqual({ x: "a" });
  });

  it("rejects neighbouring chain() lists of different lengths", () => {
    expect(() =>
      dag({ id: "bad_chain" }, (d) => {
        chain([d.task("a", () => 1)], [d.task("b", () => 1), d.task("c", () => 1)]);
      }),
    ).toThrow(/same length/);
  });

  it.each([
    [{ retries: -1 }, /retries must be an integer >= 0, got -1/],
    [{ retryDelay: "soon" }, /retryDelay "soon" is not a duration/],
    [{ triggerRule: "all_sucess" }, /triggerRule must be one of all_success, .*; got "all_sucess"/],
    [{ poolSlots: 0 }, /poolSlots must be an integer >= 1/],
    [{ retry: 3 }, /unknown task option "retry"; valid task options: retries, retryDelay/],
    [{ timeout: 0 }, /timeout must be greater than 0/],
  ])("rejects task options %j with a DagDefinitionError at the task's line", (options, message) => {
    let line = 0;
    const def = dag({ id: "bad" }, (d) => {
      line = Number(new Error().stack!.split("\n")[1]!.match(/:(\d+):\d+\)?$/)![1]) + 1;
      d.task("t", options as object, () => 1);
    });
    const err = (() => {
      try {
        def.toSpec();
      } catch (e) {
        return e;
      }
    })() as DagDefinitionError;
    expect(err).toBeInstanceOf(DagDefinitionError);
    expect(err.message).toMatch(message);
    expect(err.message).toContain('DAG "bad", task "t"');
    expect(err.file).toBe(HERE);
    expect(err.line).toBe(line);
  });

  it.each([
    [{ schedule: "@dayly" }, /unknown schedule preset "@dayly"/],
    [{ timezone: "Mars/Olympus" }, /not an IANA time zone/],
    [{ startDate: "yesterday" }, /startDate: "yesterday" is not an ISO 8601 date; use YYYY-MM-DD/],
    [{ startDate: "March 7" }, /startDate: "March 7" is not an ISO 8601 date/],
    [{ startDate: "123" }, /startDate: "123" is not an ISO 8601 date/],
    [{ startDate: "2026-02-30" }, /startDate: "2026-02-30" is not a real date: 2026-02 has 28 days/],
    [{ endDate: "2026-13-01T00:00Z" }, /endDate: "2026-13-01T00:00Z" is not a real date: month 13/],
    [{ maxActiveRuns: 0 }, /maxActiveRuns must be an integer >= 1/],
    [{ id: "has space" }, /DAG id "has space" is invalid/],
    [{ scheudle: "@daily" }, /unknown DAG option "scheudle"/],
    [{ schedule: "@daily", params: z.object({ region: z.string() }) }, /params defaults do not satisfy the params schema[\s\S]*region/],
    [{ schedule: { datasets: ["warehouse://sales"] }, params: z.object({ region: z.string() }) }, /only a DAG with schedule: null may leave one/],
  ])("rejects DAG options %j", (options, message) => {
    const def = dag({ id: "bad", ...options } as never, () => {});
    expect(() => def.toSpec()).toThrow(message);
  });

  it("rejects an async dag callback and tasks of another DAG", () => {
    expect(() => dag({ id: "async" }, (async () => {}) as never).toSpec()).toThrow(/must be synchronous/);
    let foreign!: ReturnType<typeof task>;
    dag({ id: "one" }, (d) => void (foreign = d.task("x", () => 1)));
    const two = dag({ id: "two" }, (d) => void d.task("y", { inputs: { f: foreign } }, () => 1));
    expect(() => two.toSpec()).toThrow(/refers to task "x" of another DAG/);
  });

  it("throws a clear error when task() is called outside a dag() callback", () => {
    expect(() => task("loose", () => 1)).toThrow(/task\(\) was called outside a dag\(\) callback/);
  });
});

describe("runtime tasks", () => {
  const def = dag({ id: "rt", params: z.object({ region: z.enum(["eu", "us"]).default("eu"), n: z.coerce.number().default(2) }) }, (d) => {
    const a = d.task("a", (c) => ({ region: c.params.region, n: c.params.n }));
    const pick = d.branch("pick", { inputs: { v: a } }, (_c, { v }) => (v.n > 5 ? "big" : "small"));
    pick.then([d.task("big", () => 1), d.task("small", () => 2)]);
    d.branch("wrong", () => "nowhere");
    d.shortCircuit("gate", (c) => c.params.region === "eu");
    shell("echo", { command: "echo {{ ds }} {{ params.region }} {{ run_id }}", env: { DAY: "{{ ds_nodash }}" }, cwd: "/tmp" });
    shell("fn", { command: (c) => `echo ${c.taskId}` });
    shell("undefined_var", { command: "echo {{ nope }}" });
  });

  it("runs function tasks with params parsed by the DAG's schema", async () => {
    expect(await def.getTask("a")!.run(ctx({ params: { region: "us", n: "7" } }), {})).toEqual({ region: "us", n: 7 });
    await expect(def.getTask("a")!.run(ctx({ params: { region: "mars" } }), {})).rejects.toThrow(FailTask);
  });

  it("returns the followed ids of a branch and refuses ids that are not direct downstreams", async () => {
    expect(await def.getTask("pick")!.run(ctx(), { v: { n: 9 } })).toEqual(["big"]);
    await expect(def.getTask("wrong")!.run(ctx(), {})).rejects.toThrow(/"nowhere", which is not a direct downstream task; choose among: \(none\)/);
  });

  it("returns a boolean from a short-circuit", async () => {
    expect(await def.getTask("gate")!.run(ctx({ params: { region: "us" } }), {})).toBe(false);
  });

  it("renders shell commands and env with the template variables", () => {
    expect(def.getTask("echo")!.shell!(ctx({ params: { region: "us" } }))).toEqual({
      command: "echo 2026-01-02 us scheduled__2026-01-02",
      env: { DAY: "20260102" },
      cwd: "/tmp",
    });
    expect(def.getTask("fn")!.shell!(ctx({ taskId: "fn" })).command).toBe("echo fn");
    expect(() => def.getTask("undefined_var")!.shell!(ctx())).toThrow(FailTask);
    expect(def.toSpec().tasks.find((t) => t.taskId === "echo")!.command).toBe("echo {{ ds }} {{ params.region }} {{ run_id }}");
    expect(def.toSpec().tasks.find((t) => t.taskId === "fn")!.command).toBeNull();
  });

  it("returns undefined for an unknown task id", () => {
    expect(def.getTask("nope")).toBeUndefined();
  });
});
