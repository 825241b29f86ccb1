import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CallbackFirer } from "../../src/alerts/callbacks/callback-firer.js";
import type { AlertContext, AlertOutbox, NotifierDeclaration } from "../../src/core/model/alerts.js";
import type { AlertRouting } from "../../src/core/model/alert-policy.js";
import type { CallbackStore } from "../../src/core/ports/callback-store.js";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { silentLogger } from "../../src/core/ports/logger.js";
import { HEADER, type Harness } from "../support/harness.js";
import { commandOnClock, disposeOnManualClock, GATE, LoadedDags, openGate, runWhen, startOnManualClock, tiWhen } from "../support/manual-scheduler.js";
import { MINUTE, runFor, settle, until } from "../support/manual-time.js";

// Callbacks and alert policies through the real scheduler, the in-process executor (callback
// functions run in the test's process, so they record into a global list) and a temp SQLite
// file, on a manual clock. Notifier declarations land in a recording outbox.

interface Call {
  name: string;
  event: string;
  taskId: string | null;
  tryNumber: number;
  state: string;
  error: { message: string; stack: string | null } | null;
  logUrl: string | null;
  runUrl: string;
  params: Record<string, unknown>;
}
const calls: Call[] = [];
(globalThis as { batonCalls?: Call[] }).batonCalls = calls;
const REC = (name: string) =>
  `(ctx) => { (globalThis as any).batonCalls.push({ name: "${name}", event: ctx.event, taskId: ctx.taskId, tryNumber: ctx.tryNumber, state: ctx.state, error: ctx.error, logUrl: ctx.logUrl, runUrl: ctx.runUrl, params: ctx.params }); }`;
const HOOK = `{ notifier: "webhook", connection: "hook" }`;
const PAGER = `{ notifier: "pagerduty", connection: "pd" }`;

class RecordingOutbox implements AlertOutbox {
  readonly sent: { declaration: NotifierDeclaration; alert: AlertContext }[] = [];
  enqueue(declaration: NotifierDeclaration, alert: AlertContext): void {
    this.sent.push({ declaration, alert });
  }
}

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "retry.ts": `${HEADER}export default dag({ id: "retry", params: z.object({ region: z.string().default("eu") }), onSuccess: [${REC("dag_success")}, ${HOOK}], onFailure: ${REC("dag_failure")} }, (d) => {
      d.task("flaky", { retries: 1, retryDelay: "1m", onExecute: ${REC("execute")}, onRetry: [${REC("retry")}, ${HOOK}], onSuccess: [${REC("success")}, ${HOOK}], onFailure: ${REC("failure")} }, async (ctx) => {
        if (ctx.tryNumber === 1) throw new Error("boom on the first try");
        return ctx.tryNumber;
      });
    });\n`,
    "slow.ts": `${HEADER}export default dag({ id: "slow", onFailure: [${REC("dag_failure")}, ${PAGER}], onSuccess: ${REC("dag_success")} }, (d) => {
      d.task("hang", { timeout: "10s", onFailure: [${REC("failure")}, ${PAGER}] }, async (ctx) => { await ${GATE}(ctx.runId + "/hang"); });
      d.task("after", { after: "hang", onSkipped: ${REC("skipped")}, onFailure: ${REC("downstream_failure")} }, () => 1);
    });\n`,
    "bad_callbacks.ts": `${HEADER}export default dag({ id: "bad_callbacks", callbackTimeout: "5s", onSuccess: [async () => { throw new Error("callback crashed"); }, async () => { await new Promise(() => {}); }, ${REC("dag_success")}] }, (d) => {
      d.task("t", () => 1);
    });\n`,
    "marked.ts": `${HEADER}export default dag({ id: "marked", onFailure: [${REC("dag_failure")}, ${HOOK}], onSuccess: ${REC("dag_success")} }, (d) => {
      d.task("a", { onFailure: [${REC("failure")}, ${HOOK}], onSuccess: ${REC("success")} }, async (ctx) => { await ${GATE}(ctx.runId + "/a"); });
      d.task("b", { after: "a", onFailure: ${REC("b_failure")}, onSkipped: ${REC("b_skipped")} }, () => 1);
    });\n`,
    "late.ts": `${HEADER}export default dag({ id: "late", onDeadlineMissed: [${REC("deadline")}, ${PAGER}], onFailure: ${REC("dag_failure")} }, (d) => {
      d.task("t", async (ctx) => { await ${GATE}(ctx.runId + "/t"); });
    });\n`,
    "policy.ts": `${HEADER}export default dag({ id: "policy", params: z.object({ fail: z.boolean().default(true) }), alertPolicy: { afterConsecutiveFailures: 2, severity: "critical", notify: ${PAGER} } }, (d) => {
      d.task("t", (ctx) => { if (ctx.params.fail) throw new Error("bad data"); });
    });\n`,
  });
});
afterAll(() => dags?.dispose());

let h: Harness | undefined;
let clock: ManualClock | undefined;
let firer: CallbackFirer | undefined;
afterEach(async () => {
  await firer?.stop(1_000);
  await disposeOnManualClock(h, clock);
  h = clock = firer = undefined;
  calls.length = 0;
});

function callbackStore(harness: Harness): CallbackStore {
  return (harness.store as unknown as { callbacks: CallbackStore }).callbacks;
}

async function start(
  routing: AlertRouting = { policy: {}, routes: [] },
): Promise<{ h: Harness; clock: ManualClock; outbox: RecordingOutbox; firer: CallbackFirer }> {
  const s = await startOnManualClock(dags);
  ({ h, clock } = s);
  const outbox = new RecordingOutbox();
  firer = newFirer(s.h, s.clock, outbox, routing, "scheduler-1");
  s.h.scheduler.onDomainEvent(firer.listener);
  return { h: s.h, clock: s.clock, outbox, firer };
}

function newFirer(harness: Harness, c: ManualClock, outbox: AlertOutbox, routing: AlertRouting, claimer: string): CallbackFirer {
  return new CallbackFirer({
    store: harness.store,
    callbacks: callbackStore(harness),
    executor: harness.executor,
    outbox,
    routing,
    links: { baseUrl: "https://baton.example.com/" },
    logPaths: {
      attempt: (run, taskId, tryNumber, mapIndex) => join(harness.logsDir, run.dagId, run.runId, `${taskId}.${mapIndex}.${tryNumber}.log`),
      run: (run) => join(harness.logsDir, run.dagId, run.runId, "callbacks.log"),
    },
    claimer,
    clock: c,
    logger: silentLogger,
  });
}

async function ended(harness: Harness, c: ManualClock, f: CallbackFirer, runPk: number, state: string) {
  const run = await runWhen(harness, c, runPk, state);
  await until(c, "callbacks done", async () => {
    await settle();
    return f.idle().then(() => true);
  });
  return run;
}

describe("callbacks", () => {
  it("across retries: onExecute, onRetry (with the user's stack), onExecute, onSuccess, then the DAG's onSuccess; notifiers get retry, success and retry_succeeded", async () => {
    const { h, clock, outbox, firer } = await start();
    const created = await h.trigger("retry", {}, clock.now());
    await tiWhen(h, clock, created.id, "flaky", (t) => t.state === "up_for_retry");
    await runFor(clock, MINUTE);
    await ended(h, clock, firer, created.id, "success");

    expect(calls.map((c) => `${c.name}:${c.tryNumber}`)).toEqual(["execute:1", "retry:1", "execute:2", "success:2", "dag_success:0"]);
    const retry = calls.find((c) => c.name === "retry")!;
    expect(retry).toMatchObject({ event: "retry", taskId: "flaky", state: "up_for_retry", params: { region: "eu" } });
    expect(retry.error?.message).toContain("boom on the first try");
    expect(retry.error?.stack).toMatch(/boom on the first try\n\s+at /);
    expect(retry.logUrl).toBe(`https://baton.example.com/api/v1/dags/retry/runs/${encodeURIComponent(created.runId)}/tasks/flaky/logs?try=1`);
    expect(calls.at(-1)).toMatchObject({
      taskId: null,
      state: "success",
      runUrl: `https://baton.example.com/dags/retry/grid?run=${encodeURIComponent(created.runId)}`,
    });

    expect(outbox.sent.map((s) => `${s.alert.event}:${s.alert.taskId}:${s.alert.tryNumber}`)).toEqual([
      "retry:flaky:1",
      "success:flaky:2",
      "retry_succeeded:flaky:2",
      "success:null:0",
    ]);
    const [retried] = outbox.sent;
    expect(retried!.alert).toMatchObject({ severity: "warning", dedupKey: "baton/retry/flaky", owner: null, mapIndex: -1 });
    expect(retried!.declaration).toEqual({ notifier: "webhook", connection: "hook" });

    const log = await callbackStore(h).listCallbacks({ dagId: "retry", limit: 10 });
    expect(log.map((r) => r.status)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    expect(new Set(log.map((r) => r.claimedBy))).toEqual(new Set(["scheduler-1"]));
  });

  it("a task timeout is a failure: the task's onFailure (with the timeout), the downstream's onFailure (upstream_failed, never ran) and the DAG's onFailure; the notifiers hear both failures and the incident stays open", async () => {
    const { h, clock, outbox, firer } = await start();
    const created = await h.trigger("slow", {}, clock.now());
    await tiWhen(h, clock, created.id, "hang", (t) => t.state === "running");
    await runFor(clock, 10_000);
    await ended(h, clock, firer, created.id, "failed");
    openGate(`${created.runId}/hang`);

    expect(calls.map((c) => c.name)).toEqual(["failure", "downstream_failure", "dag_failure"]);
    expect(calls[0]!.error?.message).toMatch(/execution timeout of 10/);
    expect(calls[1]).toMatchObject({ taskId: "after", state: "upstream_failed", tryNumber: 0, logUrl: null });
    expect(outbox.sent.map((s) => `${s.alert.event}:${s.alert.dedupKey}:${s.alert.severity}`)).toEqual([
      "failure:baton/slow/hang:error",
      "failure:baton/slow/run:error",
    ]);
    expect(await callbackStore(h).getIncident("baton/slow/run")).toMatchObject({ resolvedAt: null, targets: [{ notifier: "pagerduty", connection: "pd" }] });
  });

  it("a callback that throws and one that hangs are logged and timed out; the run stays a success and the other callbacks run", async () => {
    const { h, clock, firer } = await start();
    const created = await h.trigger("bad_callbacks", {}, clock.now());
    const run = await runWhen(h, clock, created.id, "success");
    await settle();
    await runFor(clock, 5_000);
    await ended(h, clock, firer, created.id, "success");

    expect(run.state).toBe("success");
    expect((await h.store.getRunById(created.id))!.state).toBe("success");
    expect(calls.map((c) => c.name)).toEqual(["dag_success"]);
    const [entry] = await callbackStore(h).listCallbacks({ dagId: "bad_callbacks", limit: 10 });
    expect(entry).toMatchObject({ taskId: null, status: "timed_out" });
    expect(entry!.event).toMatch(/^success@\d+$/);
    expect(entry!.message).toContain("callback crashed");
    expect(entry!.message).toContain("exceeded its time limit of 5");
  });

  it("fires nothing for a manual mark (task or run), as in Airflow", async () => {
    const { h, clock, outbox, firer } = await start();
    const created = await h.trigger("marked", {}, clock.now());
    await tiWhen(h, clock, created.id, "a", (t) => t.state === "running");
    expect(await commandOnClock(h, clock, "mark_tasks", { dagId: "marked", runId: created.runId, taskIds: ["a"], state: "failed" })).toMatch(/^ok/);
    await ended(h, clock, firer, created.id, "failed");
    openGate(`${created.runId}/a`);
    // The marked task fires nothing. What the scheduler then decides on its own (the downstream
    // task's upstream_failed, the run's failure) fires as usual, as in Airflow.
    expect(calls.map((c) => c.name)).toEqual(["b_failure", "dag_failure"]);
    expect(calls.some((c) => c.taskId === "a")).toBe(false);
    expect(outbox.sent.map((s) => `${s.alert.event}:${s.alert.dedupKey}`)).toEqual(["failure:baton/marked/run"]);

    calls.length = 0;
    const second = await h.trigger("marked", {}, clock.now());
    await tiWhen(h, clock, second.id, "a", (t) => t.state === "running");
    expect(await commandOnClock(h, clock, "mark_run", { dagId: "marked", runId: second.runId, state: "failed" })).toMatch(/^ok/);
    await ended(h, clock, firer, second.id, "failed");
    openGate(`${second.runId}/a`);
    // A marked run: the run's end and every task instance it settled are the user's doing.
    expect(calls).toEqual([]);
    expect(outbox.sent).toHaveLength(1);
    expect(await callbackStore(h).listCallbacks({ runId: second.runId, limit: 10 })).toEqual([]);
  });

  it("fires once when two schedulers (or a scheduler and its successor) see the same transition: the claim decides", async () => {
    const { h, clock, firer } = await start();
    const outbox2 = new RecordingOutbox();
    const second = newFirer(h, clock, outbox2, { policy: {}, routes: [] }, "scheduler-2");
    h.scheduler.onDomainEvent(second.listener);
    const created = await h.trigger("retry", {}, clock.now());
    await tiWhen(h, clock, created.id, "flaky", (t) => t.state === "up_for_retry");
    await runFor(clock, MINUTE);
    await ended(h, clock, firer, created.id, "success");
    await second.idle();
    expect(calls.map((c) => `${c.name}:${c.tryNumber}`)).toEqual(["execute:1", "retry:1", "execute:2", "success:2", "dag_success:0"]);
    const log = await callbackStore(h).listCallbacks({ dagId: "retry", limit: 10 });
    expect(log).toHaveLength(5);
  });
});

describe("onDeadlineMissed", () => {
  it("fires for the deadline_missed domain event while the run goes on, once, with the deadline in its error", async () => {
    const { h, clock, outbox, firer } = await start();
    const created = await h.trigger("late", {}, clock.now());
    await tiWhen(h, clock, created.id, "t", (t) => t.state === "running");
    const miss = {
      kind: "deadline_missed" as const,
      dagId: "late",
      runId: created.runId,
      runPk: created.id,
      taskId: null,
      mapIndex: -1,
      tryNumber: 0,
      deadline: "logicalDate + 1h",
      dueAt: clock.now() - 1_000,
      at: clock.now(),
    };
    h.scheduler.publishDomainEvents([miss]);
    h.scheduler.publishDomainEvents([miss]); // published twice (two watchers): fired once
    await until(clock, "deadline callback", () => (calls.length > 0 ? true : undefined));
    await firer.idle();
    expect((await callbackStore(h).listCallbacks({ runId: created.runId, limit: 5 })).map((r) => r.event)).toEqual(["deadline_missed:logicalDate + 1h"]);
    expect(calls).toEqual([expect.objectContaining({ name: "deadline", event: "deadline_missed", taskId: null, state: "deadline_missed" })]);
    expect(calls[0]!.error?.message).toMatch(/^missed its deadline logicalDate \+ 1h \(due /);
    expect(outbox.sent.map((x) => `${x.alert.event}:${x.alert.severity}:${x.alert.dedupKey}`)).toEqual(["deadline_missed:error:baton/late/run"]);
    expect((await h.store.getRunById(created.id))!.state).toBe("running");
    openGate(`${created.runId}/t`);
    await ended(h, clock, firer, created.id, "success");
  });
});

describe("alert policies", () => {
  it("alerts after N consecutive failed runs, not again while the incident is open, and resolves it on recovery with the same dedupKey", async () => {
    const routing: AlertRouting = {
      policy: {},
      routes: [
        { match: { severities: ["critical"] }, notify: [{ notifier: "slack", connection: "oncall" }] },
        { match: { tags: ["finance"] }, notify: [{ notifier: "email", connection: "fin" }] },
      ],
    };
    const { h, clock, outbox, firer } = await start(routing);
    const runOnce = async (conf: Record<string, unknown>, state: string) => {
      const r = await h.trigger("policy", conf, clock.now());
      await ended(h, clock, firer, r.id, state);
      await runFor(clock, MINUTE);
    };
    await runOnce({}, "failed");
    expect(outbox.sent).toEqual([]);
    await runOnce({}, "failed");
    expect(outbox.sent.map((s) => `${s.declaration.notifier}:${s.alert.event}:${s.alert.severity}:${s.alert.dedupKey}`)).toEqual([
      "pagerduty:failure:critical:baton/policy/run",
      "slack:failure:critical:baton/policy/run",
    ]);
    await runOnce({}, "failed");
    expect(outbox.sent).toHaveLength(2);
    await runOnce({ fail: false }, "success");
    expect(outbox.sent.slice(2).map((s) => `${s.declaration.notifier}:${s.alert.event}:${s.alert.dedupKey}`)).toEqual([
      "pagerduty:recovered:baton/policy/run",
      "slack:recovered:baton/policy/run",
    ]);
    expect((await callbackStore(h).getIncident("baton/policy/run"))?.resolvedAt).not.toBeNull();
    // A new incident needs N failures again.
    await runOnce({}, "failed");
    expect(outbox.sent).toHaveLength(4);
  });

  it("repeats an open incident's alert at most every repeatEvery", async () => {
    const { h, clock, outbox, firer } = await start({ policy: { repeatEveryMs: 30 * MINUTE }, routes: [] });
    const fail = async () => {
      const r = await h.trigger("policy", {}, clock.now());
      await ended(h, clock, firer, r.id, "failed");
    };
    await fail();
    await fail(); // alert (2 in a row)
    await runFor(clock, 10 * MINUTE);
    await fail(); // 10 min later: no repeat
    await runFor(clock, 25 * MINUTE);
    await fail(); // 35 min after the alert: repeat
    expect(outbox.sent.map((s) => s.alert.event)).toEqual(["failure", "failure"]);
    expect((await callbackStore(h).getIncident("baton/policy/run"))?.alerts).toBe(2);
  });
});
