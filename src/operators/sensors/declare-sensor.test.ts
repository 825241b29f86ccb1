import { describe, expect, expectTypeOf, it } from "vitest";
import { FailTask, SkipTask } from "../../core/errors.js";
import type { TaskContext } from "../../sdk/context.js";
import { dag, type TaskRef } from "../../sdk/index.js";
import type { HttpResponse } from "../http/http-request.js";
import { dateTimeSensor, declareSensor, fileSensor, httpSensor, sqlSensor } from "../index.js";

describe("sensor declarations", () => {
  it("are typed TaskRefs; the sensor's timeout is not the task's attempt timeout", () => {
    const def = dag({ id: "typing_sensors" }, (d) => {
      const files = fileSensor(d, "files", { pattern: "/tmp/x/*.csv", timeout: "1s", retries: 2 });
      const res = httpSensor(d, "http", { url: "http://127.0.0.1/", expectStatus: 200 });
      const row = sqlSensor(d, "sql", { conn: "sqlite:///tmp/t.db", sql: "select 1" });
      const at = dateTimeSensor(d, "at", { target: "{{ data_interval_end }}" });
      const plain = declareSensor(d, "plain", { poke: async () => true });
      const valued = declareSensor(d, "valued", { poke: async (ctx) => (ctx.tryNumber > 0 ? { done: true, value: 42 } : false) });
      expectTypeOf(files).toEqualTypeOf<TaskRef<string[]>>();
      expectTypeOf(res).toEqualTypeOf<TaskRef<HttpResponse>>();
      expectTypeOf(row).toEqualTypeOf<TaskRef<Record<string, unknown>>>();
      expectTypeOf(at).toEqualTypeOf<TaskRef<string>>();
      expectTypeOf(plain).toEqualTypeOf<TaskRef<null>>();
      expectTypeOf(valued).toEqualTypeOf<TaskRef<number>>();
    });
    const tasks = def.toSpec().tasks;
    const files = tasks.find((t) => t.taskId === "files")!;
    expect(files).toMatchObject({ retries: 2, executionTimeoutMs: null });
    expect(tasks).toHaveLength(6);
  });

  it("refuse unknown modes, deferring a poke function, bad options and unknown keys when the DAG loads", () => {
    const load = (body: Parameters<typeof dag>[1]) => () => dag({ id: "bad_sensors" }, body).toSpec();
    expect(load((d) => void fileSensor(d, "f", { pattern: "/x/*", mode: "reschedule" }))).not.toThrow();
    expect(load((d) => void declareSensor(d, "s", { poke: async () => true, mode: "reschedule" }))).not.toThrow();
    expect(load((d) => void sqlSensor(d, "q", { conn: "sqlite:///tmp/x.db", sql: "select 1", mode: "deferred" }))).not.toThrow();
    // @ts-expect-error not a mode
    expect(load((d) => fileSensor(d, "f", { pattern: "/x/*", mode: "wait" }))).toThrow(/mode must be one of "poke", "reschedule", "deferred"; got "wait"/);
    expect(load((d) => declareSensor(d, "s", { poke: async () => true, mode: "deferred" }))).toThrow(
      /declareSensor\("s"\): mode "deferred" needs a check the scheduler's triggerer can run, and a poke function cannot leave the worker; use mode "reschedule"/,
    );
    expect(load((d) => httpSensor(d, "h", { url: "http://x", mode: "deferred", responseCheck: () => true }))).toThrow(
      /responseCheck \(a function\) cannot leave the worker/,
    );
    expect(load((d) => fileSensor(d, "f", { pattern: "/x/*", pokeInterval: "soon" }))).toThrow(/pokeInterval "soon" is not a duration/);
    expect(load((d) => fileSensor(d, "f", { pattern: "/x/*", maxWait: "1m" }))).toThrow(/maxWait applies only with exponentialBackoff/);
    expect(load((d) => fileSensor(d, "f", { pattern: "/x/*", minCount: 0 }))).toThrow(/minCount must be an integer >= 1/);
    // @ts-expect-error unknown option names are refused by the types, and at load time
    expect(load((d) => fileSensor(d, "f", { pattern: "/x/*", poke_interval: 5 }))).toThrow(
      /unknown option "poke_interval"; valid options: pattern, minCount, pokeInterval, timeout/,
    );
    expect(load((d) => httpSensor(d, "h", { url: "http://x", conn: "api" }))).toThrow(/exactly one of url or conn/);
  });
});

/** Runs one sensor task of a one-task DAG in this process, with a hand-made context. */
function runOne(options: Parameters<typeof declareSensor>[2], signal = new AbortController().signal) {
  const lines: string[] = [];
  const def = dag({ id: "unit" }, (d) => void declareSensor(d, "s", options));
  const ctx = {
    dagId: "unit",
    runId: "r1",
    taskId: "s",
    tryNumber: 1,
    signal,
    log: { debug: () => {}, info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: () => {} },
  } as unknown as TaskContext;
  return { lines, result: def.getTask("s")!.run(ctx, {}) };
}

describe("the poke loop", () => {
  it("pokes at once, then every pokeInterval, and returns the value", async () => {
    let n = 0;
    const started = Date.now();
    const { lines, result } = runOne({ pokeInterval: "50ms", poke: async () => (++n < 3 ? { done: false, reason: `n=${n}` } : { done: true, value: "v" }) });
    expect(await result).toBe("v");
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(lines).toEqual([
      "poke 1: not yet (n=1); next poke in 50ms",
      "poke 2: not yet (n=2); next poke in 50ms",
      expect.stringMatching(/^poke 3: done after \d+ms$/),
    ]);
  });

  it("pokes a last time at the deadline, then fails without retries, or skips with softFail", async () => {
    let pokes = 0;
    const hard = runOne({ pokeInterval: "100ms", timeout: "250ms", poke: async () => (pokes++, false) });
    const e = await hard.result.catch((x: unknown) => x);
    expect(FailTask.is(e)).toBe(true);
    expect((e as Error).message).toMatch(new RegExp(`^sensor "s" timed out after \\d+ms \\(timeout 250ms, ${pokes} pokes\\)$`));
    expect(pokes).toBeGreaterThanOrEqual(2); // 4 unless timers run late: at 0, 100, 200 and 250 ms
    const waits = hard.lines.flatMap((l) => /next poke in (\d+)ms$/.exec(l)?.[1] ?? []).map(Number);
    expect(waits.every((w) => w <= 100)).toBe(true);
    const soft = runOne({ pokeInterval: "100ms", timeout: "150ms", softFail: true, poke: async () => false });
    const s = await soft.result.catch((x: unknown) => x);
    expect(SkipTask.is(s)).toBe(true);
    expect(FailTask.is(s)).toBe(false);
  });

  it("lets a poke's error fail the attempt as it is (retries apply)", async () => {
    await expect(runOne({ poke: async () => Promise.reject(new Error("no route to host")) }).result).rejects.toThrow("no route to host");
  });

  it("stops promptly when the attempt is aborted, while waiting or inside a poke", async () => {
    const waiting = new AbortController();
    const a = runOne({ pokeInterval: "1h", poke: async () => false }, waiting.signal);
    setTimeout(() => waiting.abort(new Error("cancelled")), 50);
    const started = Date.now();
    await expect(a.result).rejects.toThrow("cancelled");
    expect(Date.now() - started).toBeLessThan(1000);

    const poking = new AbortController();
    let seen: AbortSignal | null = null;
    const b = runOne({ poke: (_ctx, signal) => ((seen = signal), new Promise<boolean>(() => {})) }, poking.signal);
    setTimeout(() => poking.abort(new Error("timed out")), 50);
    await expect(b.result).rejects.toThrow("timed out");
    expect(seen!.aborted).toBe(true);
  });
});
