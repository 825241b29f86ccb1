import { afterEach, describe, expect, it } from "vitest";
import { FencedError } from "../../src/core/errors.js";
import type { Clock } from "../../src/core/ports/clock.js";
import { silentLogger } from "../../src/core/ports/logger.js";
import type { FullStore } from "../../src/store/full-store.js";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite-store.js";
import { SchedulerLease } from "../../src/scheduler/scheduler-lease.js";

/** Time moves only when the test says; timers never fire (the test beats by hand). */
function handClock(): Clock & { t: number } {
  return {
    t: 1_000,
    now() {
      return this.t;
    },
    setTimer: () => () => {},
  };
}

describe("SchedulerLease", () => {
  let store: FullStore;
  afterEach(async () => store?.close());

  async function lease(id: string, clock: Clock, events: string[]) {
    const l = new SchedulerLease(
      store,
      clock,
      silentLogger,
      { id, host: "h", pid: 1, version: "t" },
      { heartbeatMs: 1_000, leaseMs: 10_000 },
      {
        onFenced: () => events.push(`${id} fenced`),
        onBeat: (until) => events.push(`${id} may run until ${until}`),
        onLeaseFenced: (other) => events.push(`${id} fenced ${other}`),
      },
    );
    await l.start();
    return l;
  }

  it("fences a lease whose beat stood still for leaseMs on the observer's clock, not before; the fenced one learns it on its next beat", async () => {
    store = await openSqliteStore(":memory:");
    const ca = handClock();
    const cb = handClock();
    cb.t = 9_999_999; // another machine's clock, far off: never compared
    const events: string[] = [];
    const b = await lease("b", cb, events);
    const a = await lease("a", ca, events);
    expect(a.liveSchedulers).toBe(2);
    ca.t += 9_000;
    await a.beatOnce();
    expect(events).not.toContain("a fenced b");
    ca.t += 1_000;
    await a.beatOnce();
    expect(events).toContain("a fenced b");
    expect(a.liveSchedulers).toBe(1);
    await b.beatOnce();
    expect(events).toContain("b fenced");
    await expect(store.commit({ runs: [{ id: 1, state: "failed" }] }, { schedulerId: "b" })).rejects.toBeInstanceOf(FencedError);
    await store.commit({ runs: [{ id: 1, state: "failed" }] }, { schedulerId: "a" });
  });

  it("a lease that keeps beating is never fenced, however long it lives; each beat extends the keep-alive by leaseMs/2", async () => {
    store = await openSqliteStore(":memory:");
    const ca = handClock();
    const cb = handClock();
    const events: string[] = [];
    const b = await lease("b", cb, events);
    const a = await lease("a", ca, events);
    for (let i = 0; i < 30; i++) {
      ca.t += 1_000;
      cb.t += 1_000;
      await b.beatOnce();
      await a.beatOnce();
    }
    expect(events.filter((e) => e.includes("fenced"))).toEqual([]);
    expect(events.at(-1)).toBe(`a may run until ${ca.t + 5_000}`);
  });

  it("stopping gives the lease up at once: its DAGs are free to claim", async () => {
    store = await openSqliteStore(":memory:");
    const { dagVersion } = await import("../../src/store/contract/fixtures.js");
    await store.saveDagVersion(dagVersion("d1", "v1"));
    const a = await lease("a", handClock(), []);
    expect(await store.claimDags("a", 5)).toEqual(["d1"]);
    await a.stop();
    await store.registerScheduler({ id: "b", host: "h", pid: 2, version: "t", startedAt: 0 });
    expect(await store.claimDags("b", 5)).toEqual(["d1"]);
  });
});
