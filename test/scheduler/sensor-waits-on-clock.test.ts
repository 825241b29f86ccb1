import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { LocalTriggerer } from "../../src/triggerer/local-triggerer.js";
import type { Harness } from "../support/harness.js";
import { disposeOnManualClock, LoadedDags, startOnManualClock, tiWhen } from "../support/manual-scheduler.js";
import { MINUTE, runFor } from "../support/manual-time.js";

// Reschedule and deferred sensors through the real scheduler on a manual clock: pokes happen at
// the poke interval, the timeout counts from the first poke, a deferred wait ends when the
// triggerer's clock passes its target.

const HEADER = `import { dag } from "baton";\nimport { declareSensor, dateTimeSensor } from "baton/operators";\n`;
const pokes = globalThis as { pokeTimes?: number[] };

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "resched.ts": `${HEADER}export default dag({ id: "resched" }, (d) => {
      declareSensor(d, "wait", { mode: "reschedule", pokeInterval: "5m", timeout: "20m", softFail: true, poke: async () => {
        const g = globalThis as unknown as { pokeTimes?: number[] };
        (g.pokeTimes ??= []).push(Date.now());
        return { done: false, reason: "not there" };
      } });
    });\n`,
    "deferred.ts": `${HEADER}export default dag({ id: "deferred" }, (d) => {
      const at = dateTimeSensor(d, "at", { mode: "deferred", target: (ctx) => new Date(ctx.logicalDate!.getTime() + 30 * 60_000), pokeInterval: "1h", timeout: "2h" });
      d.task("after", { after: [at] }, async () => "ran");
    });\n`,
  });
});
afterAll(() => dags?.dispose());

let h: Harness | undefined;
let clock: ManualClock | undefined;
let triggerer: LocalTriggerer | undefined;
afterEach(async () => {
  await disposeOnManualClock(h, clock);
  await triggerer?.close();
  h = clock = triggerer = undefined;
  pokes.pokeTimes = [];
});

describe("sensors on a manual clock", () => {
  it("reschedule mode: pokes every interval, times out 20 minutes after the first poke; softFail makes it skipped", async () => {
    pokes.pokeTimes = [];
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const run = await h.trigger("resched", {}, s.t0);
    const first = await tiWhen(h, clock, run.id, "wait", (x) => x.state === "up_for_reschedule");
    expect(first).toMatchObject({ tryNumber: 0, nextRetryAt: s.t0 + 5 * MINUTE, sensorWait: { firstPokeAt: s.t0, pokes: 1 } });

    await runFor(clock, 5 * MINUTE - 1);
    expect(pokes.pokeTimes).toEqual([s.t0]);
    await runFor(clock, 1);
    await tiWhen(h, clock, run.id, "wait", (x) => x.sensorWait?.pokes === 2);
    await runFor(clock, 15 * MINUTE);
    const ended = await tiWhen(h, clock, run.id, "wait", (x) => x.state === "skipped");
    expect(pokes.pokeTimes).toEqual([0, 5, 10, 15, 20].map((m) => s.t0 + m * MINUTE));
    expect(ended.tryNumber).toBe(1);
    expect(ended.error).toBe('sensor "wait" timed out after 20m 0s (timeout 20m 0s, 5 pokes; last: not there)');
    // Every poke of a try is the same attempt (docs/sensors.md): one record, ended at the last poke.
    expect((await h.store.listAttempts(run.id, "wait")).map((a) => [a.tryNumber, a.state, a.endedAt])).toEqual([[1, "skipped", s.t0 + 20 * MINUTE]]);
    expect((await h.scheduler.waitForRun(run.id)).state).toBe("success");
  });

  it("deferred dateTimeSensor: waits in the triggerer until the clock reaches its target, then downstream runs", async () => {
    const s = await startOnManualClock(dags, { triggerer: (c) => (triggerer = new LocalTriggerer({ clock: c })) });
    ({ h, clock } = s);
    const run = await h.trigger("deferred", {}, s.t0);
    const deferred = await tiWhen(h, clock, run.id, "at", (x) => x.state === "deferred");
    expect(deferred.sensorWait).toMatchObject({ firstPokeAt: s.t0, pokes: 1, trigger: { kind: "date_time", notBefore: s.t0 + 30 * MINUTE } });
    expect(triggerer!.size).toBe(1);

    await runFor(clock, 30 * MINUTE - 1);
    expect((await tiWhen(h, clock, run.id, "at", () => true)).state).toBe("deferred");
    await runFor(clock, 1);
    const done = await tiWhen(h, clock, run.id, "at", (x) => x.state === "success");
    expect(done).toMatchObject({ tryNumber: 1, endedAt: s.t0 + 30 * MINUTE, output: JSON.stringify(new Date(s.t0 + 30 * MINUTE).toISOString()) });
    const after = await tiWhen(h, clock, run.id, "after", (x) => x.state === "success");
    expect(after.startedAt).toBe(s.t0 + 30 * MINUTE);
    expect((await h.scheduler.waitForRun(run.id)).state).toBe("success");
    expect(triggerer!.size).toBe(0);
  });
});
