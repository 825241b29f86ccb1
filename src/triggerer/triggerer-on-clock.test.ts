import { describe, expect, it } from "vitest";
import type { TriggerEvent } from "../core/ports/triggerer.js";
import { ManualClock } from "../core/testing/manual-clock.js";
import { runFor } from "../../test/support/manual-time.js";
import { LocalTriggerer } from "./local-triggerer.js";

const HOUR = 3_600_000;

describe("the triggerer on a manual clock", () => {
  it("ends when the injected clock reaches the target, whatever the wall clock says", async () => {
    // Years from real time, in either direction: the wall clock must not decide.
    for (const start of [Date.parse("2099-01-01T00:00:00Z"), Date.parse("2001-01-01T00:00:00Z")]) {
      const clock = new ManualClock(start);
      const t = new LocalTriggerer({ clock });
      const target = start + HOUR;
      const events: TriggerEvent[] = [];
      t.watch(
        "k",
        {
          kind: "date_time",
          args: { target: new Date(target).toISOString() },
          pokeIntervalMs: 10 * 60_000,
          exponentialBackoff: false,
          maxWaitMs: null,
          timeoutMs: 2 * HOUR,
          timeoutAt: start + 2 * HOUR,
          softFail: false,
          key: "d#t#k",
        },
        1,
        (e) => events.push(e),
      );
      await runFor(clock, HOUR - 1);
      expect(events).toEqual([]);
      await runFor(clock, 1);
      expect(events).toEqual([{ kind: "done", value: new Date(target).toISOString(), pokes: expect.any(Number) }]);
      await t.close();
    }
  });

  it("abandons a check that outlives checkTimeoutMs of the clock's time, then ends the wait at its timeout", async () => {
    const clock = new ManualClock(Date.parse("2099-01-01T00:00:00Z"));
    const started = clock.now();
    const t = new LocalTriggerer({
      clock,
      checkTimeoutMs: 30_000,
      checks: { hang: (_args, _env, signal) => new Promise((_r, reject) => signal.addEventListener("abort", () => reject(signal.reason))) },
    });
    const events: TriggerEvent[] = [];
    t.watch(
      "k",
      {
        kind: "hang",
        args: {},
        pokeIntervalMs: 10_000,
        exponentialBackoff: false,
        maxWaitMs: null,
        timeoutMs: 60_000,
        timeoutAt: started + 60_000,
        softFail: false,
        key: "d#t#k",
      },
      1,
      (e) => events.push(e),
    );
    await runFor(clock, 79_999);
    expect(events).toEqual([]);
    await runFor(clock, 1);
    expect(events).toEqual([
      { kind: "timeout", message: "timed out after 1m 20s (timeout 1m 0s, 3 pokes, deferred; last: check 3 still running after 30s)", pokes: 3 },
    ]);
    await t.close();
  });
});
