import { describe, expect, it } from "vitest";
import { Dispatcher, type Claim, type SlotLimits } from "./dispatcher.js";
import type { ReadyItem } from "./ready-queue.js";

const limits = (capacity: SlotLimits["capacity"], poolSlots = 100): SlotLimits => ({ capacity, maxActiveTasks: () => 100, poolSlots: () => poolSlots });
const item = (taskId: string, queue?: string, priority = 1): Omit<ReadyItem, "seq"> => ({
  runPk: 1,
  taskId,
  priority,
  backfill: false,
  ...(queue ? { queue } : {}),
});
const claim = (queue: string, pool = "default_pool"): Claim => ({ dagId: "d", pool, poolSlots: 1, queue });

/** Takes ready items as the dispatch loop does (each admitted one holds a slot) until none may go. */
function drain(d: Dispatcher): string[] {
  const out: string[] = [];
  for (let it = d.next(); it !== undefined; it = d.next()) {
    d.acquire(claim(it.queue ?? "default"));
    out.push(it.taskId);
  }
  return out;
}

describe("Dispatcher: slots per queue", () => {
  it("a full queue (no worker takes its attempts) holds back its own work only", () => {
    const d = new Dispatcher(limits((q) => (q === "default" ? 2 : 3)));
    for (let i = 0; i < 5; i++) d.ready.push(item(`gpu${i}`, "gpu", 10));
    for (let i = 0; i < 4; i++) d.ready.push(item(`cpu${i}`));
    // Priority first (the gpu tasks weigh more) until gpu's window of 3 is full, then default's 2 slots.
    expect(drain(d)).toEqual(["gpu0", "gpu1", "gpu2", "cpu0", "cpu1"]);
    expect(d.ready.size).toBe(4);
    // A default slot frees: the next default task goes; gpu work still waits for its window.
    d.release(claim("default"));
    expect(drain(d)).toEqual(["cpu2"]);
    d.release(claim("gpu"));
    expect(drain(d)).toEqual(["gpu3"]);
    expect(d.inFlight).toBe(5);
  });

  it("one shared capacity without per-queue slots (an executor that runs everything): the old single window, strict priority", () => {
    const d = new Dispatcher(limits(3));
    d.ready.push(item("a", "gpu", 1));
    d.ready.push(item("b", undefined, 5));
    d.ready.push(item("c", "other", 3));
    d.ready.push(item("e", undefined, 0));
    expect(drain(d)).toEqual(["b", "c", "a"]);
    d.release(claim("gpu"));
    expect(drain(d)).toEqual(["e"]);
  });

  it("pools and parking keep working across queues: a parked item goes back to its own queue", () => {
    const d = new Dispatcher(limits((q) => (q === "default" ? 1 : 10), 1));
    d.ready.push(item("g1", "gpu"));
    d.ready.push(item("g2", "gpu"));
    const first = d.next()!;
    expect(d.admit(claim("gpu", "p"))).toBe("ok");
    d.acquire(claim("gpu", "p"));
    const second = d.next()!;
    expect([first.taskId, second.taskId]).toEqual(["g1", "g2"]);
    expect(d.admit(claim("gpu", "p"))).toBe("pool_full");
    d.park(second, "pool_full", claim("gpu", "p"));
    expect(d.next()).toBeUndefined();
    d.release(claim("gpu", "p"));
    const back = d.next();
    expect(back).toMatchObject({ taskId: "g2", queue: "gpu" });
  });
});

describe("Dispatcher: the dispatch window (slots plus staging)", () => {
  it("a queue takes slots + staging attempts; only `slots` are handed out, the rest wait staged and go out oldest first as slots free", () => {
    const d = new Dispatcher(limits(2));
    const freed: string[] = [];
    d.useStaging(
      (q) => (q === "default" ? 2 : 0),
      (q) => freed.push(q),
    );
    for (let i = 0; i < 6; i++) d.ready.push(item(`t${i}`));
    const claims: Claim[] = [];
    for (let it = d.next(); it !== undefined; it = d.next()) {
      const c = claim("default");
      d.acquire(c);
      claims.push(c);
    }
    expect(claims).toHaveLength(4); // 2 slots + 2 staged
    expect(claims.map((c) => d.handOut(c))).toEqual([true, true, false, false]);
    d.stage("default", { attemptId: "a2" } as never);
    d.stage("default", { attemptId: "a3" } as never);
    // A staged attempt that ends frees a window place, but no executor slot: nothing to hand out.
    d.release(claims[3]!);
    expect(freed).toEqual([]);
    // A handed-out attempt ends: its executor slot frees and the staged ones are told.
    d.release(claims[0]!);
    expect(freed).toEqual(["default"]);
    expect(d.takeStaged("default")).toMatchObject({ attemptId: "a2" });
    expect(d.handOut(claims[2]!)).toBe(true);
    expect(d.handOut(claim("default"))).toBe(false); // both slots held again
    expect(d.takeStaged("default")).toMatchObject({ attemptId: "a3" });
    expect(d.takeStaged("default")).toBeUndefined();
  });

  it("staged attempts count against pools and max active tasks like running ones", () => {
    const d = new Dispatcher({ capacity: 1, maxActiveTasks: () => 2, poolSlots: () => 3 });
    d.useStaging(
      () => 5,
      () => {},
    );
    for (let i = 0; i < 6; i++) d.ready.push(item(`t${i}`));
    const admitted: string[] = [];
    for (let it = d.next(); it !== undefined; it = d.next()) {
      const c = claim("default", "p");
      if (d.admit(c) !== "ok") {
        d.park(it, "dag_full", c);
        continue;
      }
      d.acquire(c);
      admitted.push(it.taskId);
    }
    // Window 1 + 5 = 6, but max active tasks is 2: one handed out, one staged, the rest parked.
    expect(admitted).toEqual(["t0", "t1"]);
    expect(d.parkedCounts().dagFull).toBe(4);
    expect(d.poolInUse("p")).toBe(2);
  });
});
