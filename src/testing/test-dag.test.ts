import { describe, expect, it, vi } from "vitest";
import { dag, z } from "../sdk/index.js";
import { declareSensor } from "../operators/index.js";
import { startDag, testDag } from "./index.js";

// baton/testing on real parts: the scheduler, an in-memory SQLite store and the in-process
// executor, on a virtual clock. Each DAG is the object dag() returns, as a test imports it.

const MINUTE = 60_000;
const HOUR = 3_600_000;
const T0 = Date.parse("2026-03-01T08:00:00Z");

const etl = dag({ id: "etl" }, (d) => {
  const extract = d.task("extract", { retries: 2, retryDelay: "1h" }, async () => [1, 2, 3]);
  const transform = d.task("transform", { inputs: { rows: extract } }, async (_ctx, { rows }) => rows.map((n) => n * 10));
  d.task("load", { inputs: { rows: transform } }, async (ctx, { rows }) => {
    ctx.log.info("loading", { count: rows.length });
    return { loaded: rows.length, sum: rows.reduce((a, b) => a + b, 0) };
  });
});

describe("testDag", () => {
  it("runs the DAG to the end; values pass between tasks; logs are kept", async () => {
    const run = await testDag(etl, { now: T0 });
    expect(run.state).toBe("success");
    expect(run.states()).toEqual({ extract: "success", transform: "success", load: "success" });
    expect(run.task("transform").value).toEqual([10, 20, 30]);
    expect(run.task<{ loaded: number; sum: number }>("load").value).toEqual({ loaded: 3, sum: 60 });
    expect(run.task("load").tries).toBe(1);
    expect(run.task("load").logs).toContain('INFO loading {"count":3}');
    // Virtual time stood still: nothing took time.
    expect(run.task("load").endedAt).toBe(T0);
  });

  it("a forced failure uses every retry, in virtual time; downstream is upstream_failed", async () => {
    const started = performance.now();
    const run = await testDag(etl, { now: T0, tasks: { extract: { fail: "boom" } } });
    expect(run.state).toBe("failed");
    const extract = run.task("extract");
    expect(extract).toMatchObject({ state: "failed", tries: 3, maxTries: 3 });
    expect(extract.error).toContain("boom");
    expect(extract.attempts.map((a) => [a.tryNumber, a.state, a.startedAt])).toEqual([
      [1, "failed", T0],
      [2, "failed", T0 + HOUR],
      [3, "failed", T0 + 2 * HOUR],
    ]);
    expect(run.task("transform").state).toBe("upstream_failed");
    expect(run.task("load").state).toBe("upstream_failed");
    // Two hours of backoff took (loosely) no real time.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("failOnTries: the first try fails, the retry an hour later (virtual) succeeds", async () => {
    const run = await testDag(etl, { now: T0, tasks: { extract: { failOnTries: [1] } } });
    expect(run.state).toBe("success");
    const [first, second] = run.task("extract").attempts;
    expect(first).toMatchObject({ tryNumber: 1, state: "failed", startedAt: T0, endedAt: T0, error: expect.stringContaining("failed by testDag on try 1") });
    expect(second).toMatchObject({ tryNumber: 2, state: "success", startedAt: T0 + HOUR });
    expect(run.task("extract").tries).toBe(2);
    expect(run.task("load").endedAt).toBe(T0 + HOUR);
  });

  it("failForGood fails at once whatever the retries; returns replaces a task's value", async () => {
    const failed = await testDag(etl, { now: T0, tasks: { extract: { fail: new Error("bad input"), failForGood: true } } });
    expect(failed.task("extract")).toMatchObject({ state: "failed", tries: 1 });
    const replaced = await testDag(etl, { now: T0, tasks: { extract: { returns: [5] } } });
    expect(replaced.task("load").value).toEqual({ loaded: 1, sum: 50 });
  });

  it("skip: the task is skipped without running; all_success downstream is skipped too", async () => {
    const body = vi.fn(async () => 1);
    const d = dag({ id: "skippy" }, (b) => {
      const a = b.task("a", body);
      const c = b.task("c", { after: [a] }, async () => 2);
      b.task("always", { after: [c], triggerRule: "all_done" }, async () => "ran");
    });
    const run = await testDag(d, { now: T0, tasks: { a: { skip: "not today" } } });
    expect(body).not.toHaveBeenCalled();
    expect(run.states()).toEqual({ a: "skipped", c: "skipped", always: "success" });
    expect(run.task("a").error).toBe("not today");
    expect(run.state).toBe("success");
  });

  it("task code runs in the test's process: spies see its calls", async () => {
    const notify = vi.fn();
    const d = dag({ id: "spied" }, (b) => {
      b.task("send", async (ctx) => {
        notify(ctx.taskId, Date.now());
        return "sent";
      });
    });
    const run = await testDag(d, { now: T0 });
    expect(notify).toHaveBeenCalledWith("send", T0); // Date reads virtual time while the DAG runs
    expect(run.task("send").value).toBe("sent");
  });

  it("a delay longer than the execution timeout times the try out at exactly the timeout", async () => {
    const d = dag({ id: "slow" }, (b) => {
      b.task("slow", { timeout: "10m" }, async () => "done");
      b.task("quick", { timeout: "10m" }, async () => "done");
    });
    const run = await testDag(d, { now: T0, tasks: { slow: { delay: "15m" }, quick: { delay: "5m" } } });
    expect(run.task("slow")).toMatchObject({ state: "failed", startedAt: T0, endedAt: T0 + 10 * MINUTE, error: "exceeded execution timeout of 600s" });
    expect(run.task("quick")).toMatchObject({ state: "success", endedAt: T0 + 5 * MINUTE, value: "done" });
    expect(run.state).toBe("failed");
  });

  it("task code that waits for its timeout: virtual time moves on once it has run stallMs with nothing happening", async () => {
    const d = dag({ id: "hangs" }, (b) => {
      b.task("hang", { timeout: "10m" }, (ctx) => new Promise((_r, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error))));
    });
    const started = performance.now();
    const run = await testDag(d, { now: T0, stallMs: 50 });
    expect(run.task("hang")).toMatchObject({ state: "failed", endedAt: T0 + 10 * MINUTE, error: "exceeded execution timeout of 600s" });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("task code doing real asynchronous work is waited for: virtual time does not jump past its timeout meanwhile", async () => {
    const d = dag({ id: "real_io" }, (b) => {
      b.task("io", { timeout: "1s" }, async () => {
        await new Promise((r) => setTimeout(r, 30)); // real time, less than stallMs
        return "done";
      });
    });
    const run = await testDag(d, { now: T0 });
    expect(run.task("io")).toMatchObject({ state: "success", value: "done", endedAt: T0 });
  });

  it("a manual-only DAG's param without default must be given when the run is triggered", async () => {
    const d = dag({ id: "required_param", params: z.object({ table: z.string(), limit: z.number().default(10) }) }, (b) => {
      b.task("echo", async (ctx) => ({ table: ctx.params.table, limit: ctx.params.limit }));
    });
    await expect(testDag(d, { now: T0 })).rejects.toThrow(/table/);
    const run = await testDag(d, { now: T0, params: { table: "sales" } });
    expect(run.state).toBe("success");
    expect(run.task("echo").value).toEqual({ table: "sales", limit: 10 });
  });

  it("params are checked and passed to tasks; bad params are refused as a trigger would", async () => {
    const d = dag({ id: "with_params", params: z.object({ day: z.string().default("1970-01-01"), limit: z.number().default(10) }) }, (b) => {
      b.task("echo", async (ctx) => ({ day: ctx.params.day, limit: ctx.params.limit }));
    });
    const run = await testDag(d, { now: T0, params: { day: "2026-01-01" } });
    expect(run.task("echo").value).toEqual({ day: "2026-01-01", limit: 10 });
    await expect(testDag(d, { now: T0, params: { day: 5 } })).rejects.toThrow(/day/);
  });

  it("a branch follows the chosen path; the other is skipped; the join runs", async () => {
    const d = dag({ id: "branchy", params: z.object({ big: z.boolean().default(false) }) }, (b) => {
      const choose = b.branch("choose", (ctx) => (ctx.params.big ? "full" : "incremental"));
      const full = b.task("full", { after: [choose] }, async () => "full");
      const inc = b.task("incremental", { after: [choose] }, async () => "inc");
      b.task("join", { after: [full, inc], triggerRule: "none_failed_min_one_success" }, async () => "joined");
    });
    const small = await testDag(d, { now: T0 });
    expect(small.states()).toEqual({ choose: "success", full: "skipped", incremental: "success", join: "success" });
    expect(small.task("choose").followed).toEqual(["incremental"]);
    const big = await testDag(d, { now: T0, params: { big: true } });
    expect(big.states()).toMatchObject({ full: "success", incremental: "skipped" });
    // The branch's choice can be forced too.
    const forced = await testDag(d, { now: T0, tasks: { choose: { returns: "full" } } });
    expect(forced.states()).toMatchObject({ full: "success", incremental: "skipped" });
  });

  it("mapped tasks: one copy per element; a copy can be read by its index", async () => {
    const d = dag({ id: "mapped" }, (b) => {
      const files = b.task("files", async () => ["a.csv", "b.csv", "c.csv"]);
      const sizes = b.task("size", { map: { file: files }, retries: 1, retryDelay: "5m" }, async (_ctx, { file }) => file.length);
      b.task("total", { inputs: { sizes } }, async (_ctx, { sizes }) => sizes.reduce((a, n) => a + n, 0));
    });
    const run = await testDag(d, { now: T0 });
    expect(run.task("size").copies.map((c) => [c.mapIndex, c.state, c.value])).toEqual([
      [0, "success", 5],
      [1, "success", 5],
      [2, "success", 5],
    ]);
    expect(run.task("size", 1).value).toBe(5);
    expect(run.task("size").value).toEqual([5, 5, 5]);
    expect(run.task("total").value).toBe(15);
    expect(() => run.task("size", 7)).toThrow(/copies 0…2/);
  });

  it("an unknown task id in the options is an error naming the DAG's tasks", async () => {
    await expect(testDag(etl, { tasks: { extrakt: { fail: "x" } } })).rejects.toThrow(
      'DAG "etl" has no task "extrakt" (options.tasks); its tasks are: "extract", "transform", "load"',
    );
    await expect(testDag(etl, { tasks: { extract: { fial: "x" } as never } })).rejects.toThrow(/unknown option "fial"/);
    const run = await testDag(etl, { now: T0 });
    expect(() => run.task("lod")).toThrow(/has no task "lod"; its tasks are: "extract", "transform", "load"/);
  });

  it("connections and variables come from the options; a missing one names those given", async () => {
    const d = dag({ id: "secrets" }, (b) => {
      b.task("read", async (ctx) => {
        const wh = await ctx.connection("warehouse");
        return { host: wh.host, db: wh.schema, endpoint: await ctx.variable("endpoint") };
      });
      b.task("missing", async (ctx) => ctx.variable("nope"));
    });
    const run = await testDag(d, {
      now: T0,
      connections: { warehouse: "postgres://etl:pw@db.local:5432/analytics" },
      variables: { endpoint: "https://x.test" },
    });
    expect(run.task("read").value).toEqual({ host: "db.local", db: "analytics", endpoint: "https://x.test" });
    expect(run.task("missing").error).toContain('no variable "nope" (options.variables has "endpoint")');
  });

  it("callback functions run in the test's process: an onFailure spy is called once, after the last try", async () => {
    const onFailure = vi.fn();
    const d = dag({ id: "alerting" }, (b) => {
      b.task("flaky", { retries: 1, retryDelay: "10m", onFailure }, async () => 1);
    });
    const run = await testDag(d, { now: T0, tasks: { flaky: { fail: "down" } } });
    expect(run.task("flaky").tries).toBe(2);
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(onFailure.mock.calls[0]![0]).toMatchObject({ event: "failure", taskId: "flaky", tryNumber: 2 });
  });

  it("a sensitive return value is sealed in the store and opened for the test", async () => {
    const d = dag({ id: "sensitive" }, (b) => {
      const token = b.task("token", { sensitive: true }, async () => "s3cr3t");
      b.task("use", { inputs: { token } }, async (_ctx, { token }) => token.length);
    });
    const run = await testDag(d, { now: T0 });
    expect(run.task("token").value).toBe("s3cr3t");
    expect(run.task("use").value).toBe(6);
  });

  it("deadlines: a run past its deadline is reported missed at the due time", async () => {
    const d = dag({ id: "late", deadline: { reference: "queuedAt", interval: "30m" } }, (b) => {
      b.task("long", async () => 1);
    });
    const run = await testDag(d, { now: T0, tasks: { long: { delay: "45m" } } });
    expect(run.state).toBe("success");
    expect(run.missedDeadlines.map((m) => [m.deadline, m.dueAt])).toEqual([["queuedAt + 30m", T0 + 30 * MINUTE]]);
  });

  it("deadlines: a negative interval is due before its reference, and missed while the run goes on", async () => {
    // Warn an hour before a fixed cut-off: due at T0 + 1h; the run ends at T0 + 90m, before the cut-off.
    const cutoff = new Date(T0 + 2 * HOUR).toISOString();
    const d = dag({ id: "early_warning", deadline: { reference: { fixed: cutoff }, interval: "-1h" } }, (b) => {
      b.task("long", async () => 1);
    });
    const run = await testDag(d, { now: T0, tasks: { long: { delay: "90m" } } });
    expect(run.state).toBe("success");
    expect(run.missedDeadlines.map((m) => [m.deadline, m.dueAt])).toEqual([[`fixed ${cutoff} - 1h`, T0 + HOUR]]);
    // The same run done within the hour meets it.
    const quick = await testDag(d, { now: T0, tasks: { long: { delay: "59m" } } });
    expect(quick.missedDeadlines).toEqual([]);
  });
});

describe("startDag (stepwise)", () => {
  it("a reschedule sensor pokes as virtual time advances and succeeds once the data is there", async () => {
    let ready = false;
    const pokes: number[] = [];
    const d = dag({ id: "sensing" }, (b) => {
      const wait = declareSensor(b, "wait_for_file", {
        mode: "reschedule",
        pokeInterval: "5m",
        timeout: "1h",
        poke: async () => {
          pokes.push(Date.now());
          return ready ? { done: true, value: "file.csv" } : { done: false, reason: "no file yet" };
        },
      });
      b.task("process", { inputs: { file: wait } }, async (_ctx, { file }) => `processed ${file}`);
    });
    await using t = await startDag(d, { now: T0 });
    expect(t.task("wait_for_file")).toMatchObject({ state: "up_for_reschedule", nextTryAt: T0 + 5 * MINUTE });
    await t.advance("12m");
    expect(pokes).toEqual([T0, T0 + 5 * MINUTE, T0 + 10 * MINUTE]);
    expect(t.task("process").state).toBe("none");
    ready = true;
    await t.advance("3m");
    expect(t.task("wait_for_file")).toMatchObject({ state: "success", value: "file.csv", endedAt: T0 + 15 * MINUTE });
    const run = await t.finish();
    expect(run.task("process").value).toBe("processed file.csv");
    expect(run.state).toBe("success");
  });

  it("schedules: true creates the DAG's scheduled runs as virtual time passes (the docs' example)", async () => {
    const hourly = dag({ id: "hourly", schedule: "@hourly", startDate: "2026-01-01", catchup: false }, (d) => {
      d.task("tick", async (ctx) => ctx.ts);
    });
    await using t = await startDag(hourly, { now: "2026-01-01T01:01:00Z", schedules: true, trigger: false });
    await t.advance("3h");
    expect(t.runs.map((r) => [new Date(r.logicalDate!).toISOString(), r.runType, r.state])).toEqual([
      ["2026-01-01T00:00:00.000Z", "scheduled", "success"],
      ["2026-01-01T01:00:00.000Z", "scheduled", "success"],
      ["2026-01-01T02:00:00.000Z", "scheduled", "success"],
      ["2026-01-01T03:00:00.000Z", "scheduled", "success"],
    ]);
    expect(t.runs[3]!.task("tick").value).toBe("2026-01-01T03:00:00+00:00");
    expect(() => t.run).toThrow(/no run was triggered/);
  });

  it("advanceUntil waits for a condition; a sensor that never sees its data times out after its timeout", async () => {
    const d = dag({ id: "never" }, (b) => {
      declareSensor(b, "wait", { mode: "reschedule", pokeInterval: "10m", timeout: "1h", poke: async () => false });
    });
    await using t = await startDag(d, { now: T0 });
    const run = await t.advanceUntil((r) => r.task("wait").state === "failed");
    expect(run.task("wait").endedAt).toBe(T0 + HOUR);
    expect(run.task("wait").error).toMatch(/timed out after 1h/);
    expect(t.now()).toBe(T0 + HOUR);
  });
});
