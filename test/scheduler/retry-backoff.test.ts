import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { HEADER, type Harness } from "../support/harness.js";
import { disposeOnManualClock, LoadedDags, startOnManualClock, tiWhen } from "../support/manual-scheduler.js";
import { runFor } from "../support/manual-time.js";

/** 32-bit FNV-1a over the UTF-8 bytes, as docs/retries.md defines it. */
function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** docs/retries.md, "with backoff": Airflow's formula, in whole seconds. */
function documentedDelay(retryDelayMs: number, maxRetryDelayMs: number, tryNumber: number, jitterKey: string): number {
  const base = Math.max(1, Math.ceil((retryDelayMs / 1000) * 2 ** (tryNumber - 1)));
  const jitter = fnv1a32(`${jitterKey}#${tryNumber}`) % base;
  return Math.min((base + jitter) * 1000, 86_400_000, maxRetryDelayMs);
}

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "backoff.ts": `${HEADER}export default dag({ id: "backoff" }, (d) => {
      d.task("t", { retries: 4, retryDelay: "10s", retryExponentialBackoff: true, maxRetryDelay: "50s" }, async (ctx) => { throw new Error("try " + ctx.tryNumber + " fails"); });
    });\n`,
  });
});
afterAll(() => dags?.dispose());

let h: Harness | undefined;
let clock: ManualClock | undefined;
afterEach(async () => {
  await disposeOnManualClock(h, clock);
  h = clock = undefined;
});

describe("retries with exponential backoff, on a manual clock", () => {
  it("each retry is due at the failed attempt's end plus the documented delay, capped by maxRetryDelay", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const run = await h.trigger("backoff", {}, s.t0);
    const key = `backoff#t#${s.t0}`;
    const expected = [1, 2, 3, 4].map((n) => documentedDelay(10_000, 50_000, n, key));
    expect(expected[0]).toBeGreaterThanOrEqual(10_000);
    expect(expected[0]).toBeLessThan(20_000);
    expect(expected[1]).toBeGreaterThanOrEqual(20_000);
    expect(expected[3]).toBe(50_000); // base 80 s is past the 50 s cap

    let start = s.t0;
    for (let tryNumber = 1; tryNumber <= 4; tryNumber++) {
      const ti = await tiWhen(h, clock, run.id, "t", (x) => x.tryNumber === tryNumber && x.state === "up_for_retry");
      expect(ti.nextRetryAt).toBe(start + expected[tryNumber - 1]!);
      // Not a millisecond early.
      await runFor(clock, ti.nextRetryAt! - 1 - clock.now());
      expect((await tiWhen(h, clock, run.id, "t", () => true)).tryNumber).toBe(tryNumber);
      await runFor(clock, 1);
      start = ti.nextRetryAt!;
    }
    const last = await tiWhen(h, clock, run.id, "t", (x) => x.state === "failed");
    expect(last.tryNumber).toBe(5);
    const attempts = await h.store.listAttempts(run.id, "t");
    const starts = [s.t0];
    for (const d of expected) starts.push(starts.at(-1)! + d);
    expect(attempts.map((a) => [a.tryNumber, a.state, a.startedAt, a.endedAt])).toEqual(starts.map((at, i) => [i + 1, "failed", at, at]));
    expect((await h.scheduler.waitForRun(run.id)).state).toBe("failed");
  });
});
