import { describe, expect, it } from "vitest";
import { ReadyQueue, readyBefore, type ReadyItem } from "./ready-queue.js";
import { ReadyQueues } from "./ready-queues.js";

/** A small deterministic generator: the same items on every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function items(n: number, seed: number): Omit<ReadyItem, "seq">[] {
  const r = random(seed);
  return Array.from({ length: n }, (_, i) => ({
    runPk: 1 + Math.floor(r() * 4),
    taskId: `t${i}`,
    priority: Math.floor(r() * 5),
    backfill: r() < 0.2,
  }));
}

/** The order the queue promises: readyBefore, ties broken by insertion (seq). */
function expected(xs: Omit<ReadyItem, "seq">[]): string[] {
  const withSeq = xs.map((x, seq) => ({ ...x, seq }));
  return withSeq.sort((a, b) => (readyBefore(a, b) ? -1 : readyBefore(b, a) ? 1 : 0)).map((x) => x.taskId);
}

describe("ReadyQueue", () => {
  it("pops in priority order (normal runs first, higher weight, older run, then insertion), pushes and pops interleaved", () => {
    for (const seed of [1, 2, 3, 42]) {
      const xs = items(500, seed);
      const q = new ReadyQueue();
      const popped: string[] = [];
      const pushedSoFar: Omit<ReadyItem, "seq">[] = [];
      // Interleave: push 3, pop 1, ... then drain; check each pop is the best of what is inside.
      for (let i = 0; i < xs.length; i++) {
        q.push(xs[i]!);
        pushedSoFar.push(xs[i]!);
        if (i % 3 === 2) {
          const inside = pushedSoFar.filter((x) => !popped.includes(x.taskId));
          const best = expected(inside)[0];
          const got = q.pop()!.taskId;
          expect(got).toBe(best);
          popped.push(got);
        }
      }
      const rest: string[] = [];
      for (let x = q.pop(); x !== undefined; x = q.pop()) rest.push(x.taskId);
      expect(rest).toEqual(expected(xs.filter((x) => !popped.includes(x.taskId))));
      expect(q.size).toBe(0);
    }
  });

  it("removeRun drops that run's items and keeps the order of the others", () => {
    const xs = items(200, 7);
    const q = new ReadyQueue();
    for (const x of xs) q.push(x);
    q.removeRun(2);
    const out: string[] = [];
    for (let x = q.pop(); x !== undefined; x = q.pop()) out.push(x.taskId);
    // Re-pushed in heap order, so equal items keep their relative order only by their new seq: compare sets and priority order.
    expect(new Set(out)).toEqual(new Set(xs.filter((x) => x.runPk !== 2).map((x) => x.taskId)));
    const byId = new Map(xs.map((x, seq) => [x.taskId, { ...x, seq }]));
    for (let i = 1; i < out.length; i++)
      expect(readyBefore(byId.get(out[i]!)!, byId.get(out[i - 1]!)!) && !sameRank(byId.get(out[i]!)!, byId.get(out[i - 1]!)!)).toBe(false);
  });
});

function sameRank(a: ReadyItem, b: ReadyItem): boolean {
  return a.backfill === b.backfill && a.priority === b.priority && a.runPk === b.runPk;
}

describe("ReadyQueues", () => {
  it("one slot group: pops while the group is open, nothing when it is closed", () => {
    const qs = new ReadyQueues(() => "");
    for (const x of items(50, 5)) qs.push(x);
    expect(qs.pop(() => false)).toBeUndefined();
    const out: string[] = [];
    for (let x = qs.pop(() => true); x !== undefined; x = qs.pop(() => true)) out.push(x.taskId);
    expect(out).toEqual(expected(items(50, 5)));
  });

  it("a second group added after the first was used: both are served, most urgent first", () => {
    const qs = new ReadyQueues((q) => q);
    qs.push({ runPk: 1, taskId: "a", priority: 1, backfill: false, queue: "default" });
    expect(qs.pop(() => true)?.taskId).toBe("a");
    qs.push({ runPk: 1, taskId: "b", priority: 1, backfill: false, queue: "default" });
    qs.push({ runPk: 1, taskId: "g", priority: 9, backfill: false, queue: "gpu" });
    expect(qs.pop(() => true)?.taskId).toBe("g");
    expect(qs.pop((group) => group !== "default")).toBeUndefined();
    expect(qs.pop(() => true)?.taskId).toBe("b");
  });
});
