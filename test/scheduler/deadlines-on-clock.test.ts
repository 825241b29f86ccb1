import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DeadlineMissed } from "../../src/core/model/domain-events.js";
import { silentLogger } from "../../src/core/ports/logger.js";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { DeadlineWatcher } from "../../src/scheduler/deadlines/deadline-watcher.js";
import type { FullStore } from "../../src/store/full-store.js";
import { HEADER, type Harness } from "../support/harness.js";
import { disposeOnManualClock, GATE, LoadedDags, openGate, restartOnManualClock, runWhen, startOnManualClock, tiWhen } from "../support/manual-scheduler.js";
import { HOUR, manualStart, MINUTE, runFor, settle, until } from "../support/manual-time.js";

// Deadlines (docs/deadlines.md) on a manual clock: the real scheduler and in-process executor on
// a temp SQLite file, with the deadline watcher wired as `baton scheduler` wires it.

const T0 = manualStart();
const FIXED = new Date(T0 + 50 * MINUTE).toISOString();

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "refs.ts": `${HEADER}export default dag({
      id: "refs", schedule: "@hourly", startDate: "2026-01-01",
      deadline: [
        { reference: "logicalDate", interval: "30m" },
        { reference: "dataIntervalEnd", interval: "15m" },
        { reference: "queuedAt", interval: "20m" },
        { reference: { fixed: "${FIXED}" }, interval: 0 },
      ],
    }, (d) => {
      d.task("wait", async () => { await ${GATE}("refs/wait"); return 1; });
    });\n`,
    "quick.ts": `${HEADER}export default dag({ id: "quick", deadline: { reference: "queuedAt", interval: "10m" } }, (d) => {
      d.task("a", { expectedDuration: "5m" }, async () => 1);
    });\n`,
    "slow_task.ts": `${HEADER}export default dag({ id: "slow_task" }, (d) => {
      d.task("t", { expectedDuration: "10m", retries: 1, retryDelay: 0 }, async (ctx) => {
        await ${GATE}("slow/try" + ctx.tryNumber);
        if (ctx.tryNumber === 1) throw new Error("first try fails");
        return ctx.tryNumber;
      });
      d.task("fast", { expectedDuration: "10m" }, async () => 1);
    });\n`,
    "late.ts": `${HEADER}export default dag({ id: "late", deadline: { reference: "queuedAt", interval: "30m" } }, (d) => {
      d.task("wait", async () => { await ${GATE}("late/wait"); return 1; });
    });\n`,
  });
});
afterAll(() => dags?.dispose());

let h: Harness | undefined;
let clock: ManualClock | undefined;
let watchers: DeadlineWatcher[] = [];
afterEach(async () => {
  for (const w of watchers) w.stop();
  watchers = [];
  await disposeOnManualClock(h, clock);
  h = clock = undefined;
});

/** A watcher on the harness's store and scheduler, as src/cli/scheduler-parts.ts builds it; collects the events it publishes. */
async function watch(harness: Harness, c: ManualClock): Promise<{ watcher: DeadlineWatcher; events: DeadlineMissed[]; published: DeadlineMissed[] }> {
  const scheduler = harness.scheduler;
  const events: DeadlineMissed[] = [];
  const published: DeadlineMissed[] = [];
  const watcher = new DeadlineWatcher({
    store: harness.store,
    deadlines: (harness.store as FullStore).deadlines,
    clock: c,
    logger: silentLogger,
    publish: (e) => {
      published.push(e);
      scheduler.publishDomainEvents([e]);
    },
  });
  scheduler.onDomainEvent((e) => {
    watcher.onDomainEvent(e);
    if (e.kind === "deadline_missed") events.push(e);
  });
  await watcher.start();
  watchers.push(watcher);
  return { watcher, events, published };
}

/** Moves time and waits for the watcher's checks (store reads and inserts) to finish. */
async function advance(c: ManualClock, ms: number, watcher: DeadlineWatcher): Promise<void> {
  const end = c.now() + ms;
  for (let due = c.nextDue(); due !== null && due <= end; due = c.nextDue()) {
    c.advance(due - c.now());
    await settle();
    await watcher.idle();
  }
  c.advance(end - c.now());
  await settle();
  await watcher.idle();
}

const missesOf = async (harness: Harness, dagId: string) => (harness.store as FullStore).deadlines.listMissedDeadlines({ dagId });

describe("deadlines on a manual clock", () => {
  it("each reference kind is missed once, at its due time, while the run is still going", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    expect(s.t0).toBe(T0); // the fixed deadline in the DAG file was written for this start
    const { watcher, events } = await watch(h, clock);
    const run = await h.trigger("refs", {}, T0 + 10 * MINUTE); // logical date 10 minutes ahead; queued now
    expect(run).toMatchObject({ logicalDate: T0 + 10 * MINUTE, dataIntervalEnd: T0 + HOUR, createdAt: T0 });
    await tiWhen(h, clock, run.id, "wait", (t) => t.state === "running");

    const expected = [
      { deadline: "queuedAt + 20m", dueAt: T0 + 20 * MINUTE },
      { deadline: "logicalDate + 30m", dueAt: T0 + 40 * MINUTE },
      { deadline: `fixed ${FIXED} + 0s`, dueAt: T0 + 50 * MINUTE },
      { deadline: "dataIntervalEnd + 15m", dueAt: T0 + 75 * MINUTE },
    ];
    await advance(clock, 20 * MINUTE - 1, watcher);
    expect(events).toEqual([]);
    for (const [i, e] of expected.entries()) {
      await advance(clock, e.dueAt - clock.now(), watcher);
      expect(events).toHaveLength(i + 1);
      expect(events[i]).toEqual({
        kind: "deadline_missed",
        dagId: "refs",
        runId: run.runId,
        runPk: run.id,
        taskId: null,
        mapIndex: -1,
        tryNumber: 0,
        ...e,
        at: e.dueAt,
      });
    }
    // Once each: hours later, nothing more, and the run is still going.
    await advance(clock, 3 * HOUR, watcher);
    expect(events).toHaveLength(4);
    expect((await h.store.getRunById(run.id))!.state).toBe("running");
    const stored = await missesOf(h, "refs");
    expect(stored.map((m) => [m.deadlineIndex, m.description, m.dueAt, m.detectedAt])).toEqual(
      [...expected]
        .reverse()
        .map((e) => [
          ["logicalDate + 30m", "dataIntervalEnd + 15m", "queuedAt + 20m", `fixed ${FIXED} + 0s`].indexOf(e.deadline),
          e.deadline,
          e.dueAt,
          e.dueAt,
        ]),
    );
    expect(watcher.watching).toBe(0);

    openGate("refs/wait");
    await runWhen(h, clock, run.id, "success");
    await advance(clock, HOUR, watcher);
    expect(events).toHaveLength(4);
  });

  it("a run that finishes in time misses nothing, and stops being watched", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const { watcher, events } = await watch(h, clock);
    const run = await h.trigger("quick", {}, T0);
    await runWhen(h, clock, run.id, "success");
    await until(clock, "the watcher forgot the run", async () => (await watcher.idle(), watcher.watching === 0 ? true : undefined));
    await advance(clock, 2 * HOUR, watcher);
    expect(events).toEqual([]);
    expect(await missesOf(h, "quick")).toEqual([]);
  });

  it("a task's expectedDuration is missed once per try; a task within it is not", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const { watcher, events } = await watch(h, clock);
    const run = await h.trigger("slow_task", {}, T0);
    await tiWhen(h, clock, run.id, "t", (t) => t.state === "running" && t.tryNumber === 1);
    await runWhen(h, clock, run.id, "running");

    await advance(clock, 10 * MINUTE - 1, watcher);
    expect(events).toEqual([]);
    await advance(clock, 1, watcher);
    expect(events).toEqual([
      {
        kind: "deadline_missed",
        dagId: "slow_task",
        runId: run.runId,
        runPk: run.id,
        taskId: "t",
        mapIndex: -1,
        tryNumber: 1,
        deadline: "expectedDuration 10m",
        dueAt: T0 + 10 * MINUTE,
        at: T0 + 10 * MINUTE,
      },
    ]);
    await advance(clock, 5 * MINUTE, watcher);
    expect(events).toHaveLength(1); // the attempt goes on; one miss per try

    // Try 1 fails at 15m; try 2 starts at once and runs past its own 10 minutes.
    openGate("slow/try1");
    const retried = await tiWhen(h, clock, run.id, "t", (t) => t.state === "running" && t.tryNumber === 2);
    await advance(clock, 10 * MINUTE, watcher);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({ taskId: "t", tryNumber: 2, deadline: "expectedDuration 10m", dueAt: retried.startedAt! + 10 * MINUTE });

    openGate("slow/try2");
    await runWhen(h, clock, run.id, "success");
    await advance(clock, HOUR, watcher);
    expect(events).toHaveLength(2);
    expect((await missesOf(h, "slow_task")).map((m) => [m.taskId, m.tryNumber])).toEqual([
      ["t", 2],
      ["t", 1],
    ]);
  });

  it("after a restart the due times are recomputed from the store, and a miss already recorded is not reported again", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const first = await watch(h, clock);
    const run = await h.trigger("late", {}, T0);
    await tiWhen(h, clock, run.id, "wait", (t) => t.state === "running");
    await advance(clock, 10 * MINUTE, first.watcher);
    first.watcher.stop(); // the process is gone

    // A new scheduler 20 minutes in: the run is still running, due at 30m.
    clock = await restartOnManualClock(h, T0 + 20 * MINUTE);
    const second = await watch(h, clock);
    expect(second.watcher.watching).toBe(1);
    await advance(clock, 10 * MINUTE - 1, second.watcher);
    expect(second.events).toEqual([]);
    await advance(clock, 1, second.watcher);
    expect(second.events).toMatchObject([{ dagId: "late", runId: run.runId, deadline: "queuedAt + 30m", dueAt: T0 + 30 * MINUTE, at: T0 + 30 * MINUTE }]);
    second.watcher.stop();

    // Another restart later: the run is still not finished, but its miss is recorded already.
    clock = await restartOnManualClock(h, T0 + 2 * HOUR);
    const third = await watch(h, clock);
    await advance(clock, MINUTE, third.watcher);
    expect(third.events).toEqual([]);
    expect(await missesOf(h, "late")).toHaveLength(1);
  });

  it("two watchers on one database (two schedulers) record and publish a miss once", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const a = await watch(h, clock);
    const b = await watch(h, clock);
    const run = await h.trigger("late", {}, T0);
    await tiWhen(h, clock, run.id, "wait", (t) => t.state === "running");
    // The queued run is found by both: one through the scheduler's events, both through their scan of new runs.
    await advance(clock, HOUR, a.watcher);
    await b.watcher.idle();
    expect([...a.published, ...b.published].map((e) => e.runId)).toEqual([run.runId]);
    // Subscribers of the scheduler hear it once.
    expect(a.events.map((e) => e.runId)).toEqual([run.runId]);
    expect(await missesOf(h, "late")).toHaveLength(1);
  });
});
