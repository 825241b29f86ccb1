import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CallbackFirer } from "../../src/alerts/callbacks/callback-firer.js";
import { CallbackSweep } from "../../src/alerts/callbacks/callback-sweep.js";
import type { AlertContext, AlertOutbox, NotifierDeclaration } from "../../src/core/model/alerts.js";
import type { CallbackStore } from "../../src/core/ports/callback-store.js";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { silentLogger } from "../../src/core/ports/logger.js";
import { HEADER, type Harness } from "../support/harness.js";
import {
  commandOnClock,
  disposeOnManualClock,
  GATE,
  LoadedDags,
  openGate,
  restartOnManualClock,
  runWhen,
  startOnManualClock,
  tiWhen,
} from "../support/manual-scheduler.js";
import { HOUR, MINUTE, runFor, settle, until } from "../support/manual-time.js";

// The callback sweep (docs/alerts.md, "Once, across schedulers"): a scheduler that committed a
// change and died before claiming its callbacks (here: a scheduler no firer listens to) loses the
// firing; the next scheduler on the same database (a restart on the same SQLite file) finds the
// change with no claim in `callback_claims` and fires it, once. Real scheduler, in-process
// executor (callback functions run in the test's process and record into a global list), temp
// SQLite file, manual clock.

interface Call {
  name: string;
  taskId: string | null;
  tryNumber: number;
  state: string;
}
const calls: Call[] = [];
(globalThis as { batonSweepCalls?: Call[] }).batonSweepCalls = calls;
const REC = (name: string) =>
  `(ctx) => { (globalThis as any).batonSweepCalls.push({ name: "${name}", taskId: ctx.taskId, tryNumber: ctx.tryNumber, state: ctx.state }); }`;
const PAGER = `{ notifier: "pagerduty", connection: "pd" }`;

class RecordingOutbox implements AlertOutbox {
  readonly sent: string[] = [];
  enqueue(declaration: NotifierDeclaration, alert: AlertContext): void {
    this.sent.push(`${declaration.notifier}:${alert.event}:${alert.dedupKey}`);
  }
}

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "lost.ts": `${HEADER}export default dag({ id: "lost", onFailure: [${REC("dag_failure")}, ${PAGER}] }, (d) => {
      d.task("t", { onFailure: [${REC("failure")}, ${PAGER}] }, () => { throw new Error("bad rows"); });
    });\n`,
    "slow.ts": `${HEADER}export default dag({ id: "slow", callbackTimeout: "10m" }, (d) => {
      d.task("t", { onFailure: async (ctx) => { await ${GATE}("slow-callback"); (${REC("failure")})(ctx); } }, () => { throw new Error("bad rows"); });
    });\n`,
    "marked.ts": `${HEADER}export default dag({ id: "marked", onFailure: ${REC("dag_failure")}, onSuccess: ${REC("dag_success")} }, (d) => {
      d.task("a", { onFailure: ${REC("failure")}, onSuccess: ${REC("success")} }, async (ctx) => { await ${GATE}(ctx.runId + "/a"); });
      d.task("b", { after: "a", onFailure: ${REC("b_failure")}, onSkipped: ${REC("b_skipped")}, onSuccess: ${REC("b_success")} }, () => 1);
    });\n`,
  });
});
afterAll(() => dags?.dispose());

let h: Harness | undefined;
let clock: ManualClock | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await disposeOnManualClock(h, clock);
  h = clock = undefined;
  calls.length = 0;
});

function callbackStore(harness: Harness): CallbackStore {
  return (harness.store as unknown as { callbacks: CallbackStore }).callbacks;
}

/** A firer as `baton scheduler` assembles it, listening to `harness`'s current scheduler, and its sweep (not started). */
function firerAndSweep(harness: Harness, c: ManualClock, claimer: string, listen = true) {
  const outbox = new RecordingOutbox();
  const firer = new CallbackFirer({
    store: harness.store,
    callbacks: callbackStore(harness),
    executor: harness.executor,
    outbox,
    routing: { policy: {}, routes: [] },
    links: { baseUrl: "https://baton.example.com/" },
    logPaths: {
      attempt: (run, taskId, tryNumber, mapIndex) => join(harness.logsDir, run.dagId, run.runId, `${taskId}.${mapIndex}.${tryNumber}.log`),
      run: (run) => join(harness.logsDir, run.dagId, run.runId, "callbacks.log"),
    },
    claimer,
    clock: c,
    logger: silentLogger,
  });
  if (listen) harness.scheduler.onDomainEvent(firer.listener);
  const sweep = new CallbackSweep({
    store: harness.store,
    callbacks: callbackStore(harness),
    fire: (f, retake) => firer.fire(f, retake),
    clock: c,
    logger: silentLogger,
    windowMs: 24 * HOUR,
  });
  cleanups.push(async () => {
    sweep.stop();
    await sweep.idle();
    await firer.stop(1_000);
  });
  return { firer, sweep, outbox };
}

/** Lets the started sweep's first pass run and the firings it queued finish. */
async function swept(c: ManualClock, sweep: CallbackSweep, firer: CallbackFirer): Promise<void> {
  c.advance(0); // the sweep's timer, due now
  await sweep.idle();
  await settle();
  await firer.idle();
}

describe("the callback sweep", () => {
  it("a failure committed by a scheduler that died before claiming fires once, from its successor's sweep", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    // The first scheduler: nobody claims its firings (as if it died right after each commit).
    const created = await h.trigger("lost", {}, clock.now());
    await runWhen(h, clock, created.id, "failed");
    expect(calls).toEqual([]);
    expect(await callbackStore(h).listCallbacks({ runId: created.runId, limit: 10 })).toEqual([]);

    // Its successor on the same database, minutes later.
    clock = await restartOnManualClock(h, clock.now() + 5 * MINUTE);
    const { firer, sweep, outbox } = firerAndSweep(h, clock, "scheduler-2");
    sweep.start();
    await swept(clock, sweep, firer);
    expect(calls.map((c) => `${c.name}:${c.taskId}:${c.tryNumber}:${c.state}`)).toEqual(["failure:t:1:failed", "dag_failure:null:0:failed"]);
    expect(outbox.sent).toEqual(["pagerduty:failure:baton/lost/t", "pagerduty:failure:baton/lost/run"]);
    const log = await callbackStore(h).listCallbacks({ runId: created.runId, limit: 10 });
    expect(log.map((r) => `${r.taskId}:${r.event.replace(/@\d+$/, "@start")}:${r.status}:${r.claimedBy}`).sort()).toEqual([
      "null:failure@start:ok:scheduler-2",
      "t:failure:ok:scheduler-2",
    ]);

    // Later sweeps, and another scheduler's sweep on the same database, fire nothing more.
    await runFor(clock, 3 * MINUTE);
    await swept(clock, sweep, firer);
    const other = firerAndSweep(h, clock, "scheduler-3", false);
    expect(await other.sweep.sweepOnce()).toBe(0);
    await other.firer.idle();
    expect(calls).toHaveLength(2);
    expect([...outbox.sent, ...other.outbox.sent]).toHaveLength(2);
  });

  it("a firing whose claimant died mid-firing (its claim left running, no longer refreshed) fires again, once, after 60 s", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const created = await h.trigger("lost", {}, clock.now());
    await runWhen(h, clock, created.id, "failed");
    const run = (await h.store.getRunById(created.id))!;
    // Scheduler 1 claimed the task's failure, then died before its functions finished.
    const taskKey = { runPk: created.id, taskId: "t", mapIndex: -1, tryNumber: 1, event: "failure" };
    expect(await callbackStore(h).claimCallback(taskKey, { dagId: "lost", runId: created.runId }, "scheduler-1", clock.now())).toBe(true);

    clock = await restartOnManualClock(h, clock.now() + 5 * MINUTE);
    // Another scheduler claimed the run's failure 10 s ago and is still firing it (fresh claim).
    const runKey = { runPk: created.id, taskId: null, mapIndex: -1, tryNumber: 0, event: `failure@${run.startedAt}` };
    expect(await callbackStore(h).claimCallback(runKey, { dagId: "lost", runId: created.runId }, "scheduler-3", clock.now() - 10_000)).toBe(true);
    const { firer, sweep, outbox } = firerAndSweep(h, clock, "scheduler-2");
    sweep.start();
    await swept(clock, sweep, firer);
    expect(calls.map((c) => `${c.name}:${c.taskId}`)).toEqual(["failure:t"]);
    expect(outbox.sent).toEqual(["pagerduty:failure:baton/lost/t"]);
    const log = async () =>
      (await callbackStore(h!).listCallbacks({ runId: created.runId, limit: 10 })).map((r) => `${r.taskId}:${r.status}:${r.claimedBy}`).sort();
    expect(await log()).toEqual(["null:running:scheduler-3", "t:ok:scheduler-2"]);

    // scheduler-3 never refreshes its claim (it died too): a minute later the sweep takes it over.
    await runFor(clock, 61_000);
    await swept(clock, sweep, firer);
    expect(calls.map((c) => `${c.name}:${c.taskId}`)).toEqual(["failure:t", "dag_failure:null"]);
    expect(await log()).toEqual(["null:ok:scheduler-2", "t:ok:scheduler-2"]);
    // Finished claims are never taken again.
    await runFor(clock, 5 * MINUTE);
    await swept(clock, sweep, firer);
    expect(calls).toHaveLength(2);
    expect(outbox.sent).toHaveLength(2);
  });

  it("a claimant refreshes its claim while its callback runs, so no sweep takes it over, however long it runs", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const { firer, sweep } = firerAndSweep(h, clock, "scheduler-1");
    const other = firerAndSweep(h, clock, "scheduler-2", false);
    cleanups.unshift(() => openGate("slow-callback"));
    const created = await h.trigger("slow", {}, clock.now());
    await runWhen(h, clock, created.id, "failed");
    await settle();
    const claim = async () => (await callbackStore(h!).listCallbacks({ runId: created.runId, limit: 10 })).find((c) => c.taskId === "t");
    await until(clock, "the failure claimed", async () => (await claim()) !== undefined);
    const claimedAt = (await claim())!.claimedAt;

    // The callback waits on its gate for 5 minutes; the claim is refreshed every 15 s meanwhile.
    for (let i = 0; i < 20; i++) {
      await runFor(clock, 15_000);
      await settle();
    }
    const held = (await claim())!;
    expect(held.status).toBe("running");
    expect(held.claimedBy).toBe("scheduler-1");
    expect(held.claimedAt).toBeGreaterThanOrEqual(claimedAt + 4 * MINUTE);
    // Another scheduler's sweep sees the change (the run's end too, which has no callbacks) but takes nothing over.
    await other.sweep.sweepOnce();
    await other.firer.idle();
    expect((await claim())!.claimedBy).toBe("scheduler-1");
    expect(calls).toEqual([]);

    openGate("slow-callback");
    await settle();
    await firer.idle();
    expect(calls.map((c) => `${c.name}:${c.taskId}`)).toEqual(["failure:t"]);
    expect((await claim())!.status).toBe("ok");
    await other.firer.idle();
    sweep.stop();
  });

  it("a run whose callbacks were claimed when they happened fires nothing again", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const { firer, sweep, outbox } = firerAndSweep(h, clock, "scheduler-1");
    const created = await h.trigger("lost", {}, clock.now());
    await runWhen(h, clock, created.id, "failed");
    await until(clock, "callbacks done", async () => {
      await settle();
      return firer.idle().then(() => true);
    });
    expect(calls.map((c) => c.name)).toEqual(["failure", "dag_failure"]);

    await runFor(clock, 5 * MINUTE);
    expect(await sweep.sweepOnce()).toBe(0);
    await firer.idle();
    expect(calls.map((c) => c.name)).toEqual(["failure", "dag_failure"]);
    expect(outbox.sent).toHaveLength(2);
  });

  it("a manual mark fires nothing on the sweep; what the scheduler then decided does", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    // a marked failed: a's failure is the user's; b's upstream_failed and the run's failure are the scheduler's.
    const first = await h.trigger("marked", {}, clock.now());
    await tiWhen(h, clock, first.id, "a", (t) => t.state === "running");
    expect(await commandOnClock(h, clock, "mark_tasks", { dagId: "marked", runId: first.runId, taskIds: ["a"], state: "failed" })).toMatch(/^ok/);
    await runWhen(h, clock, first.id, "failed");
    openGate(`${first.runId}/a`);
    // a marked success: a's success is the user's; b's success and the run's are the scheduler's.
    const second = await h.trigger("marked", {}, clock.now());
    await tiWhen(h, clock, second.id, "a", (t) => t.state === "running");
    expect(await commandOnClock(h, clock, "mark_tasks", { dagId: "marked", runId: second.runId, taskIds: ["a"], state: "success" })).toMatch(/^ok/);
    await runWhen(h, clock, second.id, "success");
    openGate(`${second.runId}/a`);
    // A marked run, and a cancelled one: everything they changed is the user's.
    const third = await h.trigger("marked", {}, clock.now());
    await tiWhen(h, clock, third.id, "a", (t) => t.state === "running");
    expect(await commandOnClock(h, clock, "mark_run", { dagId: "marked", runId: third.runId, state: "failed" })).toMatch(/^ok/);
    openGate(`${third.runId}/a`);
    const fourth = await h.trigger("marked", {}, clock.now());
    await tiWhen(h, clock, fourth.id, "a", (t) => t.state === "running");
    expect(await commandOnClock(h, clock, "cancel_run", { dagId: "marked", runId: fourth.runId })).toMatch(/^ok/);
    openGate(`${fourth.runId}/a`);
    await runWhen(h, clock, fourth.id, "failed");
    expect(calls).toEqual([]);

    clock = await restartOnManualClock(h, clock.now() + 5 * MINUTE);
    const { firer, sweep } = firerAndSweep(h, clock, "scheduler-2");
    sweep.start();
    await swept(clock, sweep, firer);
    expect(calls.map((c) => `${c.name}:${c.taskId}`).sort()).toEqual(["b_failure:b", "dag_failure:null", "b_success:b", "dag_success:null"].sort());
    expect(calls.some((c) => c.taskId === "a")).toBe(false);
    const claimed = async (runId: string) =>
      (await callbackStore(h!).listCallbacks({ runId, limit: 10 })).map((r) => `${r.taskId}:${r.event.replace(/@\d+$/, "")}`).sort();
    expect(await claimed(first.runId)).toEqual(["b:failure", "null:failure"]);
    expect(await claimed(second.runId)).toEqual(["b:success", "null:success"]);
    expect(await callbackStore(h).listCallbacks({ runId: third.runId, limit: 10 })).toEqual([]);
    expect(await callbackStore(h).listCallbacks({ runId: fourth.runId, limit: 10 })).toEqual([]);
  });
});
