import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FailTask, SkipTask } from "../../core/errors.js";
import { attachSensorResume, DeferSensor, RescheduleSensor } from "../../core/sensors/sensor-handoff.js";
import type { SensorWait } from "../../core/sensors/sensor-wait.js";
import { outcomeOfError } from "../../executor/task-runner/run-attempt.js";
import type { TaskContext } from "../../sdk/context.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import { dag } from "../../sdk/index.js";
import { dateTimeSensor, declareSensor, fileSensor } from "../index.js";

/** Runs task "s" of a one-sensor DAG in this process, as the task runner would, optionally resuming. */
function runOne(declare: (d: DagBuilder<Record<string, unknown>>) => void, resume: SensorWait | null = null) {
  const lines: string[] = [];
  const def = dag({ id: "unit" }, (d) => void declare(d));
  const ctx = attachSensorResume(
    {
      dagId: "unit",
      runId: "r1",
      taskId: "s",
      tryNumber: 1,
      signal: new AbortController().signal,
      params: {},
      logicalDate: new Date("2026-01-02T00:00:00Z"),
      ds: "2026-01-02",
      dataInterval: { start: null, end: new Date("2026-01-03T00:00:00Z") },
      log: { debug: () => {}, info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: () => {} },
    } as unknown as TaskContext,
    resume,
  );
  return { lines, result: def.getTask("s")!.run(ctx, {}) };
}

describe("mode reschedule on the worker", () => {
  it("pokes once; not yet ends the attempt with the next poke time, the first poke and the poke count", async () => {
    const before = Date.now();
    const { lines, result } = runOne((d) =>
      declareSensor(d, "s", { mode: "reschedule", pokeInterval: "5m", poke: async () => ({ done: false, reason: "empty" }) }),
    );
    const e = await result.catch((x: unknown) => x);
    expect(RescheduleSensor.is(e)).toBe(true);
    const r = e as RescheduleSensor;
    expect(r.wait).toMatchObject({ pokes: 1, trigger: null });
    expect(r.wait.firstPokeAt).toBeGreaterThanOrEqual(before);
    expect(r.at - r.wait.firstPokeAt).toBeGreaterThanOrEqual(299_000);
    expect(lines).toEqual(["poke 1: not yet (empty); rescheduled: next poke in 5m 0s, the worker slot is free meanwhile"]);
    expect(outcomeOfError(e)).toEqual({ kind: "reschedule", at: r.at, firstPokeAt: r.wait.firstPokeAt, pokes: 1 });
  });

  it("resumes: counts pokes on, backs off by the poke number and times out from the first poke of the try", async () => {
    const firstPokeAt = Date.now() - 10 * 60_000;
    const next = runOne(
      (d) => declareSensor(d, "s", { mode: "reschedule", pokeInterval: "1m", exponentialBackoff: true, timeout: "1h", poke: async () => false }),
      { firstPokeAt, pokes: 4, trigger: null },
    );
    const r = (await next.result.catch((x: unknown) => x)) as RescheduleSensor;
    expect(r.wait).toEqual({ firstPokeAt, pokes: 5, trigger: null });
    const waited = r.at - Date.now(); // poke 5 with backoff: m = 1m × 2^3 = 8m, wait in [8m, 16m)
    expect(waited).toBeGreaterThan(7.9 * 60_000);
    expect(waited).toBeLessThan(16 * 60_000);

    const late = runOne((d) => declareSensor(d, "s", { mode: "reschedule", timeout: "5m", poke: async () => false }), { firstPokeAt, pokes: 9, trigger: null });
    const e = await late.result.catch((x: unknown) => x);
    expect(FailTask.is(e)).toBe(true);
    expect((e as Error).message).toMatch(/^sensor "s" timed out after 10m 0s \(timeout 5m 0s, 10 pokes\)$/);
    const soft = runOne((d) => declareSensor(d, "s", { mode: "reschedule", timeout: "5m", softFail: true, poke: async () => false }), {
      firstPokeAt,
      pokes: 9,
      trigger: null,
    });
    expect(SkipTask.is(await soft.result.catch((x: unknown) => x))).toBe(true);
  });

  it("a done poke returns the value as in poke mode", async () => {
    const { result } = runOne((d) => declareSensor(d, "s", { mode: "reschedule", poke: async () => ({ done: true, value: 7 }) }), {
      firstPokeAt: Date.now() - 1000,
      pokes: 3,
      trigger: null,
    });
    expect(await result).toBe(7);
  });
});

describe("mode deferred on the worker", () => {
  it("pokes once, then hands the rendered check to the triggerer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "baton-defer-unit-"));
    try {
      const { lines, result } = runOne((d) =>
        fileSensor(d, "s", { mode: "deferred", pattern: `${dir}/{{ ds }}/*.csv`, minCount: 2, pokeInterval: "30s", timeout: "2h", softFail: true }),
      );
      const e = await result.catch((x: unknown) => x);
      expect(DeferSensor.is(e)).toBe(true);
      const { trigger, wait } = e as DeferSensor;
      expect(trigger).toEqual({
        kind: "file",
        args: { pattern: `${dir}/2026-01-02/*.csv`, minCount: 2 },
        pokeIntervalMs: 30_000,
        exponentialBackoff: false,
        maxWaitMs: null,
        timeoutMs: 7_200_000,
        timeoutAt: wait.firstPokeAt + 7_200_000,
        softFail: true,
        key: `unit#s#${new Date(wait.firstPokeAt).toISOString()}`,
      });
      expect(JSON.parse(JSON.stringify(trigger))).toEqual(trigger);
      expect(wait.pokes).toBe(1);
      expect(lines[0]).toMatch(/^poke 1: not yet \(0 of 2 file\(s\) match .*\); deferred: the triggerer checks from now on \(file\)/);
      expect(outcomeOfError(e)).toMatchObject({ kind: "deferred", trigger, firstPokeAt: wait.firstPokeAt, pokes: 1 });

      writeFileSync(join(dir, "x.csv"), "");
      const done = runOne((d) => fileSensor(d, "s", { mode: "deferred", pattern: `${dir}/*.csv` }));
      expect(await done.result).toEqual([join(dir, "x.csv")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a date-time target computed on the worker travels as ISO text, with the moment to wake", async () => {
    const target = new Date(Date.now() + 3_600_000);
    const e = (await runOne((d) => dateTimeSensor(d, "s", { mode: "deferred", target: () => target })).result.catch((x: unknown) => x)) as DeferSensor;
    expect(e.trigger).toMatchObject({ kind: "date_time", args: { target: target.toISOString() }, notBefore: target.getTime() });
  });
});
