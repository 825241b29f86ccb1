import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { AttemptStateChanged, DomainEvent, RunStateChanged, TaskInstanceStateChanged } from "../../src/core/model/domain-events.js";
import { ManualClock } from "../../src/core/testing/manual-clock.js";
import { InProcessExecutor } from "../../src/executor/in-process-executor.js";
import { HEADER, Harness } from "../support/harness.js";
import { settle } from "../support/manual-time.js";

/**
 * The scheduler's domain events (task instance, attempt and run state changed, with before and
 * after), on a manual clock with the in-process executor: what they say, that they agree with the
 * store, that they are published only once the write is durable, and that a subscriber that
 * throws changes nothing.
 */
let h: Harness | undefined;
let clockInUse: ManualClock | undefined;
let db: Database.Database | undefined;
afterEach(async () => {
  db?.close();
  db = undefined;
  const disposed = h?.dispose();
  for (let i = 0; i < 5; i++) {
    await settle();
    clockInUse?.advance(1_000);
  }
  await disposed;
  h = undefined;
  clockInUse = undefined;
});

const HOUR = 3_600_000;
const T0 = Math.ceil(Date.now() / HOUR) * HOUR + HOUR;

/** Moves the clock `ms` forward one due timer at a time, letting the scheduler's async work run after each. */
async function runFor(clock: ManualClock, ms: number): Promise<void> {
  const end = clock.now() + ms;
  for (let due = clock.nextDue(); due !== null && due <= end; due = clock.nextDue()) {
    clock.advance(due - clock.now());
    await settle();
  }
  clock.advance(end - clock.now());
  await settle();
}

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = await check();
    if (v !== undefined) return v;
    // The group commit's window (5 ms) runs on the clock too.
    clockInUse?.advance(5);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never saw ${what}`);
}

async function start(files: Record<string, string>): Promise<{ harness: Harness; clock: ManualClock; events: DomainEvent[] }> {
  const clock = new ManualClock(T0);
  clockInUse = clock;
  const harness = new Harness(files);
  await harness.load();
  await harness.start({ clock, executor: new InProcessExecutor({ clock, echoOutput: false }), scheduler: { pollMs: 60_000 } });
  const events: DomainEvent[] = [];
  harness.scheduler.onDomainEvent((e) => events.push(e));
  return { harness, clock, events };
}

const taskEvents = (events: DomainEvent[], taskId: string) =>
  events.filter((e): e is TaskInstanceStateChanged => e.kind === "task_instance_state_changed" && e.taskId === taskId);
const attemptEvents = (events: DomainEvent[], taskId: string) =>
  events.filter((e): e is AttemptStateChanged => e.kind === "attempt_state_changed" && e.taskId === taskId);
const runEvents = (events: DomainEvent[]) => events.filter((e): e is RunStateChanged => e.kind === "run_state_changed");
const moves = (es: { before: string | null; after: string }[]) => es.map((e) => `${e.before}→${e.after}`);

/** The events of a run agree with its rows: each task's, attempt's and the run's last state. */
async function expectStoreAgrees(harness: Harness, runPk: number, events: DomainEvent[]): Promise<void> {
  const mine = events.filter((e) => e.runPk === runPk);
  const run = await harness.store.getRunById(runPk);
  expect(runEvents(mine).at(-1)?.after).toBe(run?.state);
  for (const ti of await harness.store.listTaskInstances(runPk)) {
    const last = taskEvents(mine, ti.taskId)
      .filter((e) => e.mapIndex === ti.mapIndex)
      .at(-1);
    expect({ taskId: ti.taskId, state: last?.after, tryNumber: last?.tryNumber }).toEqual({ taskId: ti.taskId, state: ti.state, tryNumber: ti.tryNumber });
    for (const a of await harness.store.listAttempts(runPk, ti.taskId)) {
      const lastA = attemptEvents(mine, ti.taskId)
        .filter((e) => e.tryNumber === a.tryNumber)
        .at(-1);
      expect({ tryNumber: a.tryNumber, state: lastA?.after, error: lastA?.error }).toEqual({ tryNumber: a.tryNumber, state: a.state, error: a.error });
    }
  }
}

describe("domain events", () => {
  it("a retry then a success: every transition with before/after, each published once durable", async () => {
    const s = await start({
      "d.ts": `${HEADER}export default dag({ id: "d" }, (d) => {
        d.task("flaky", { retries: 1, retryDelay: "1h" }, async (ctx) => { if (ctx.tryNumber === 1) throw new Error("first try fails"); return ctx.tryNumber; });
      });\n`,
    });
    h = s.harness;
    // What the database says at the moment each event is published (read synchronously, by another connection).
    db = new Database(h.dbPath, { readonly: true });
    const seen: { event: string; stored: string | undefined }[] = [];
    h.scheduler.onDomainEvent((e) => {
      if (e.kind === "run_state_changed") {
        const row = db!.prepare("select state from dag_runs where id = ?").get(e.runPk) as { state: string } | undefined;
        seen.push({ event: `run ${e.after}`, stored: row?.state });
      } else if (e.kind === "task_instance_state_changed" && e.after === "up_for_retry") {
        const row = db!.prepare("select state from task_instances where run_pk = ? and task_id = ?").get(e.runPk, e.taskId) as { state: string } | undefined;
        seen.push({ event: `task ${e.after}`, stored: row?.state });
      }
    });
    const run = await h.trigger("d", {}, T0);
    s.clock.advance(0);
    await until("the retry wait", () => (taskEvents(s.events, "flaky").some((e) => e.after === "up_for_retry") ? true : undefined));
    await runFor(s.clock, HOUR);
    const ended = await h.scheduler.waitForRun(run.id);
    expect(ended.state).toBe("success");
    await until("the run's last event", () => (runEvents(s.events).some((e) => e.after === "success") ? true : undefined));

    const tis = taskEvents(s.events, "flaky");
    expect(moves(tis)).toEqual([
      "none→scheduled",
      "scheduled→queued",
      "queued→running",
      "running→up_for_retry",
      "up_for_retry→scheduled",
      "scheduled→queued",
      "queued→running",
      "running→success",
    ]);
    expect(tis.map((e) => e.tryNumber)).toEqual([0, 1, 1, 1, 1, 2, 2, 2]);
    expect(tis[3]).toMatchObject({ dagId: "d", runId: run.runId, runPk: run.id, mapIndex: -1 });
    expect(tis[3]!.error).toMatch(/^Error: first try fails/);
    expect(tis[4]!.at - tis[3]!.at).toBe(HOUR);
    const attempts = attemptEvents(s.events, "flaky");
    expect(attempts.map((e) => `${e.tryNumber}:${e.before}→${e.after}`)).toEqual(["1:null→running", "1:running→failed", "2:null→running", "2:running→success"]);
    expect(attempts[1]!.error).toBe(tis[3]!.error);
    expect(moves(runEvents(s.events))).toEqual(["queued→running", "running→success"]);
    await expectStoreAgrees(h, run.id, s.events);
    // Published after the commit: the database already held the state the event announces.
    expect(seen).toEqual([
      { event: "run running", stored: "running" },
      { event: "task up_for_retry", stored: "up_for_retry" },
      { event: "run success", stored: "success" },
    ]);
  });

  it("a run timeout: the running attempt and task fail, then the run", async () => {
    const s = await start({
      "d.ts": `${HEADER}export default dag({ id: "d", runTimeout: "2h" }, (d) => {
        const wait = d.task("wait", async (ctx) => { await new Promise((r) => ctx.signal.addEventListener("abort", r)); });
        chain(wait, d.task("after", async () => 1));
      });\n`,
    });
    h = s.harness;
    const run = await h.trigger("d", {}, T0);
    s.clock.advance(0);
    await until("the task running", () => (taskEvents(s.events, "wait").some((e) => e.after === "running") ? true : undefined));
    await runFor(s.clock, 2 * HOUR + 60_000);
    await h.scheduler.waitForRun(run.id);
    await until("the run's end", () => (runEvents(s.events).some((e) => e.after === "failed") ? true : undefined));

    const note = "run timed out after 7200000 ms";
    expect(moves(attemptEvents(s.events, "wait"))).toEqual(["null→running", "running→failed"]);
    expect(attemptEvents(s.events, "wait")[1]!.error).toBe(`stopped: ${note}`);
    expect(moves(taskEvents(s.events, "wait")).slice(-1)).toEqual(["running→failed"]);
    expect(moves(taskEvents(s.events, "after"))).toEqual(["none→skipped"]);
    expect(runEvents(s.events).at(-1)).toMatchObject({ before: "running", after: "failed", note, runPk: run.id });
    // The attempt's end comes before the run's.
    const order = s.events.map((e) => e.kind);
    expect(order.lastIndexOf("attempt_state_changed")).toBeLessThan(order.lastIndexOf("run_state_changed"));
    await expectStoreAgrees(h, run.id, s.events);
  });

  it("a cancel: the running attempt and task fail, the run fails with the cancel's note", async () => {
    const s = await start({
      "d.ts": `${HEADER}export default dag({ id: "d" }, (d) => {
        d.task("wait", async (ctx) => { await new Promise((r) => ctx.signal.addEventListener("abort", r)); });
      });\n`,
    });
    h = s.harness;
    const run = await h.trigger("d", {}, T0);
    s.clock.advance(0);
    await until("the task running", () => (taskEvents(s.events, "wait").some((e) => e.after === "running") ? true : undefined));
    const cmd = await h.inbox.enqueueCommand("cancel_run", { dagId: "d", runId: run.runId }, "tester", T0);
    h.scheduler.wake();
    await until("the cancel applied", async () => (await h!.inbox.getCommand(cmd.id))?.appliedAt ?? undefined);
    await until("the run's end", () => (runEvents(s.events).some((e) => e.after === "failed") ? true : undefined));

    expect(moves(attemptEvents(s.events, "wait"))).toEqual(["null→running", "running→failed"]);
    expect(attemptEvents(s.events, "wait")[1]!.error).toBe("stopped: cancelled by tester");
    expect(taskEvents(s.events, "wait").at(-1)).toMatchObject({ before: "running", after: "failed", error: "cancelled by tester" });
    expect(runEvents(s.events).at(-1)).toMatchObject({ before: "running", after: "failed", note: "cancelled by tester" });
    await expectStoreAgrees(h, run.id, s.events);
  });

  it("a subscriber that throws changes nothing: the run goes on, other subscribers get every event", async () => {
    const clock = new ManualClock(T0);
    clockInUse = clock;
    h = new Harness({
      "d.ts": `${HEADER}export default dag({ id: "d" }, (d) => {
        chain(d.task("a", async () => 1), d.task("b", async () => 2));
      });\n`,
    });
    await h.load();
    await h.start({ clock, executor: new InProcessExecutor({ clock, echoOutput: false }), scheduler: { pollMs: 60_000 } });
    let thrown = 0;
    h.scheduler.onDomainEvent(() => {
      thrown++;
      throw new Error("a broken subscriber");
    });
    const events: DomainEvent[] = [];
    h.scheduler.onDomainEvent((e) => events.push(e));
    const run = await h.trigger("d", {}, T0);
    clock.advance(0);
    const ended = await h.scheduler.waitForRun(run.id);
    expect(ended.state).toBe("success");
    await until("the run's last event", () => (runEvents(events).some((e) => e.after === "success") ? true : undefined));
    expect(moves(taskEvents(events, "b"))).toEqual(["none→scheduled", "scheduled→queued", "queued→running", "running→success"]);
    expect(thrown).toBe(events.length);
    await expectStoreAgrees(h, run.id, events);
  });
});
