import { describe, expect, it } from "vitest";
import { DueHeap } from "./due-heap.js";

describe("DueHeap", () => {
  it("pops in due order whatever the push order", () => {
    const heap = new DueHeap<{ dueAt: number }>();
    const dues = [50, 10, 40, 10, 90, 0, 70, 30, 20, 60, 80, 5];
    for (const dueAt of dues) heap.push({ dueAt });
    expect(heap.peek()?.dueAt).toBe(0);
    const out: number[] = [];
    for (let item = heap.pop(); item; item = heap.pop()) out.push(item.dueAt);
    expect(out).toEqual([...dues].sort((a, b) => a - b));
    expect(heap.size).toBe(0);
    expect(heap.pop()).toBeUndefined();
  });

  it("keeps order across interleaved pushes and pops", () => {
    const heap = new DueHeap<{ dueAt: number }>();
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 1000;
    const out: number[] = [];
    let floor = -1;
    for (let i = 0; i < 500; i++) {
      heap.push({ dueAt: floor + 1 + rnd() });
      if (i % 3 === 0) {
        const item = heap.pop()!;
        expect(item.dueAt).toBeGreaterThanOrEqual(floor);
        floor = item.dueAt;
        out.push(item.dueAt);
      }
    }
    expect(out).toEqual([...out].sort((a, b) => a - b));
  });
});
