import { describe, expect, it } from "vitest";
import { ManualClock } from "./manual-clock.js";

describe("ManualClock", () => {
  it("fires timers only when advanced past their due time, each seeing its own due time", () => {
    const clock = new ManualClock(1_000);
    const seen: Array<[string, number]> = [];
    clock.setTimer(500, () => seen.push(["b", clock.now()]));
    clock.setTimer(100, () => seen.push(["a", clock.now()]));
    clock.advance(99);
    expect(seen).toEqual([]);
    clock.advance(1);
    expect(seen).toEqual([["a", 1_100]]);
    clock.advance(1_000);
    expect(seen).toEqual([
      ["a", 1_100],
      ["b", 1_500],
    ]);
    expect(clock.now()).toBe(2_100);
  });

  it("fires timers set by a firing timer within the same advance, and keeps ties in order", () => {
    const clock = new ManualClock();
    const order: string[] = [];
    clock.setTimer(10, () => {
      order.push("first");
      clock.setTimer(10, () => order.push("chained"));
    });
    clock.setTimer(10, () => order.push("second"));
    clock.advance(25);
    expect(order).toEqual(["first", "second", "chained"]);
    expect(clock.pending).toBe(0);
  });

  it("cancels a timer, and steps to the next due one", () => {
    const clock = new ManualClock();
    let fired = 0;
    const cancel = clock.setTimer(5, () => fired++);
    clock.setTimer(3_600_000, () => fired++);
    cancel();
    expect(clock.nextDue()).toBe(3_600_000);
    expect(clock.advanceToNext()).toBe(true);
    expect(fired).toBe(1);
    expect(clock.now()).toBe(3_600_000);
    expect(clock.advanceToNext()).toBe(false);
    expect(() => clock.advance(-1)).toThrow(/≥ 0/);
  });
});
