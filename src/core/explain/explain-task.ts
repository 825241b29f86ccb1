import type { DagGraph } from "../graph/dag-graph.js";
import { isFinished, type TaskState } from "../model/states.js";
import type { TaskInstanceRecord } from "../model/records.js";
import { DEFAULT_QUEUE } from "../model/workers.js";
import { countUpstream, evaluateTriggerRule } from "../rules/trigger-rules.js";
import { decideTasks } from "../scheduling/decide-tasks.js";
import type { Explanation, ExplainReason, Holder, RunFacts } from "./explain-types.js";
import { runViews, type RunViews } from "./run-views.js";
import { queuedRunReasons, runFinishedReason } from "./explain-run-state.js";
import { noSchedulerReason, withoutTick } from "./scheduler-liveness.js";
import { humanSpan, isoTime, listOf, when } from "./when.js";

/** What each trigger rule waits for, in words. */
const RULE_NEEDS: Record<string, string> = {
  all_success: "every upstream to succeed",
  all_failed: "every upstream to fail",
  all_done: "every upstream to finish, whatever its state",
  all_done_min_one_success: "every upstream to finish with at least one success",
  all_done_setup_success: "every upstream to finish, and one of its setups to have succeeded (a teardown)",
  one_success: "one upstream to succeed",
  one_failed: "one upstream to fail",
  one_done: "one upstream to succeed or fail",
  none_failed: "every upstream to finish without failing",
  none_failed_min_one_success: "every upstream to finish without failing, at least one succeeding",
  none_skipped: "every upstream to finish without being skipped",
  all_skipped: "every upstream to be skipped",
  always: "nothing",
};

/**
 * Why one task instance (a task's own, or copy `mapIndex` of a mapped task) is not running, from
 * what the store holds: finished (and why), its run queued or over, upstreams not done under its
 * trigger rule, depends_on_past, pool full (naming the holders), maxActiveTasks or maxActiveCopies
 * reached, waiting for a worker or handed to one, waiting to retry or for a sensor's next poke or
 * trigger, and no scheduler alive. Undefined when the run has no such task instance.
 *
 * @example explainTask(facts, "load", -1)?.reasons[0]?.code // "upstream_waiting"
 */
export function explainTask(f: RunFacts, taskId: string, mapIndex = -1): Explanation | undefined {
  const ti = f.taskInstances.find((t) => t.taskId === taskId && t.mapIndex === mapIndex);
  if (!ti) return undefined;
  const reasons = taskReasons(f, ti, f.version ? runViews(f.version.spec, f.taskInstances) : null);
  const running = ti.state === "running" && (ti.mapIndex >= 0 || !isMappedParent(f, ti) || copies(f, ti).some((c) => c.state === "running"));
  if (!isFinished(ti.state) && f.run.state !== "success" && f.run.state !== "failed") {
    const noScheduler = noSchedulerReason(f.schedulers, f.now);
    if (noScheduler) return { state: ti.state, running, reasons: [...withoutTick(reasons), noScheduler] };
  }
  return { state: ti.state, running, reasons };
}

/** The reasons of one task instance, without the scheduler's liveness. */
export function taskReasons(f: RunFacts, ti: TaskInstanceRecord, rv: RunViews | null): ExplainReason[] {
  const { now } = f;
  const name = ti.mapIndex >= 0 ? `Copy ${ti.mapIndex} of task "${ti.taskId}"` : `Task "${ti.taskId}"`;
  const tries = { tryNumber: ti.tryNumber, maxTries: ti.maxTries };
  switch (ti.state) {
    case "success":
    case "failed":
    case "skipped":
    case "upstream_failed":
    case "removed":
      return [finishedReason(f, ti, rv, name)];
    case "running":
      return isMappedParent(f, ti) ? [mappedCopiesReason(f, ti, rv, name)] : [];
    case "queued":
      return [queuedReason(f, ti, name)];
    case "up_for_retry": {
      const until = ti.nextRetryAt;
      return [
        {
          code: "retry_wait",
          message:
            `${name} failed on try ${ti.tryNumber} of ${ti.maxTries} and waits to retry ${until === null ? "(its retry time is not recorded)" : `until ${when(until, now)}`}` +
            `${ti.error ? `. Last error: ${firstLine(ti.error)}` : ""}.`,
          facts: { retryAt: isoTime(until), ...tries, lastError: ti.error },
        },
      ];
    }
    case "up_for_reschedule": {
      const w = ti.sensorWait ?? null;
      const timeoutAt = w?.trigger?.timeoutAt ?? null;
      return [
        {
          code: "sensor_rescheduled",
          message:
            `${name} is a sensor in reschedule mode: its condition was not met yet after ${w?.pokes ?? 0} poke${w?.pokes === 1 ? "" : "s"}` +
            `${w ? ` since ${when(w.firstPokeAt, now)}` : ""}; it holds no worker and pokes again ${ti.nextRetryAt === null ? "when rescheduled" : `at ${when(ti.nextRetryAt, now)}`}` +
            `${timeoutAt === null ? "" : `, and times out at ${when(timeoutAt, now)}`}.`,
          facts: {
            mode: "reschedule",
            pokes: w?.pokes ?? 0,
            firstPokeAt: isoTime(w?.firstPokeAt),
            nextPokeAt: isoTime(ti.nextRetryAt),
            timeoutAt: isoTime(timeoutAt),
          },
        },
      ];
    }
    case "deferred": {
      const w = ti.sensorWait ?? null;
      const t = w?.trigger ?? null;
      return [
        {
          code: "sensor_deferred",
          message:
            `${name} is a deferred sensor: the triggerer runs its ${t?.kind ?? "unknown"} check every ${t ? humanSpan(t.pokeIntervalMs) : "?"} without a worker` +
            `${w ? ` (${w.pokes} poke${w.pokes === 1 ? "" : "s"} since ${when(w.firstPokeAt, now)})` : ""}` +
            `${t ? ` and it times out at ${when(t.timeoutAt, now)}${t.softFail ? " (then skipped, softFail)" : " (then failed)"}` : ""}.`,
          facts: {
            mode: "deferred",
            check: t?.kind ?? null,
            pokes: w?.pokes ?? 0,
            firstPokeAt: isoTime(w?.firstPokeAt),
            pokeIntervalMs: t?.pokeIntervalMs ?? null,
            timeoutAt: isoTime(t?.timeoutAt),
            softFail: t?.softFail ?? null,
          },
        },
      ];
    }
    case "none":
    case "scheduled":
      return waitingReasons(f, ti, rv, name);
  }
}

function waitingReasons(f: RunFacts, ti: TaskInstanceRecord, rv: RunViews | null, name: string): ExplainReason[] {
  const { run } = f;
  if (run.state === "queued") {
    return [
      {
        code: "run_not_started",
        message: `${name} waits for its run "${run.runId}", which is queued and has not started.`,
        facts: { runId: run.runId, runState: run.state },
      },
      ...queuedRunReasons(f),
    ];
  }
  if (run.state !== "running") {
    return [{ ...runFinishedReason(f), message: `${name} never ran: ${lowerFirst(runFinishedReason(f).message)}` }];
  }
  if (!rv) return [versionMissing(f)];
  if (ti.mapIndex < 0) {
    const spec = rv.graph.tasks.get(ti.taskId);
    const decision = decideTasks(rv.graph, rv.views, [ti.taskId]).get(ti.taskId);
    if (decision === undefined) return [upstreamWaiting(rv, ti.taskId, name)];
    if (decision !== "scheduled") {
      return [
        {
          code: "upstream_will_decide",
          message: `${name}'s upstreams are decided: the scheduler will mark it ${decision} on its next step.`,
          facts: { decision, upstream: upstreamStates(rv, ti.taskId) },
        },
      ];
    }
    if (spec?.dependsOnPast) {
      const past = pastReason(f, ti.taskId, name, rv.graph);
      if (past) return [past];
    }
  }
  return slotReasons(f, ti, name);
}

function upstreamWaiting(rv: RunViews, taskId: string, name: string): ExplainReason {
  const rule = rv.graph.tasks.get(taskId)?.triggerRule ?? "all_success";
  const upstream = upstreamStates(rv, taskId);
  const pending = upstream.filter((u) => !isFinished(u.state));
  const done = upstream.filter((u) => isFinished(u.state));
  const decision = evaluateTriggerRule(rule, countUpstream(upstream.map((u) => u.state)));
  const byBranch = decision !== "wait";
  const message = byBranch
    ? `${name} waits for a branch or short-circuit task upstream of it to finish: it may still skip it.`
    : `${name} waits for ${pending.length === 1 ? "upstream" : "upstreams"} ${listOf(pending.map((u) => `"${u.taskId}" (${u.state})`))}: ` +
      `its trigger rule ${rule} needs ${RULE_NEEDS[rule] ?? rule}` +
      `${done.length > 0 ? `; done so far: ${listOf(done.map((u) => `"${u.taskId}" (${u.state})`))}` : ""}.`;
  return { code: "upstream_waiting", message, facts: { triggerRule: rule, waitingFor: pending, done } };
}

function upstreamStates(rv: RunViews, taskId: string): { taskId: string; state: TaskState }[] {
  return (rv.graph.upstream.get(taskId) ?? []).map((u) => ({ taskId: u, state: rv.views.get(u)?.state ?? "none" }));
}

/** depends_on_past: the same task in the previous run (scheduler/depends-on-past.ts) must have succeeded or been skipped. */
export function pastReason(f: RunFacts, taskId: string, name: string, graph: DagGraph): ExplainReason | null {
  const prev = f.previous;
  if (!prev || f.run.logicalDate === null) return null;
  const stateOf = (id: string) => prev.taskInstances.find((t) => t.taskId === id && t.mapIndex < 0)?.state;
  const state = stateOf(taskId);
  if (state === undefined) return null;
  if (state === "success" || state === "skipped") {
    if (!graph.tasks.get(taskId)?.waitForDownstream) return null;
    const pending = (graph.downstream.get(taskId) ?? [])
      .map((id) => ({ taskId: id, state: stateOf(id) ?? "missing" }))
      .filter((d) => d.state !== "success" && d.state !== "skipped");
    if (pending.length === 0) return null;
    return {
      code: "depends_on_past",
      message:
        `${name} has wait_for_downstream: it runs only once its direct downstreams in the previous run "${prev.runId}" (logical date ${isoTime(prev.logicalDate)}) ` +
        `succeeded or were skipped; not yet: ${listOf(pending.map((d) => `"${d.taskId}" (${d.state})`))}.`,
      facts: { previousRunId: prev.runId, previousLogicalDate: isoTime(prev.logicalDate), previousState: state, waitingFor: pending },
    };
  }
  return {
    code: "depends_on_past",
    message:
      `${name} has depends_on_past: it runs only once the same task of the previous run "${prev.runId}" (logical date ${isoTime(prev.logicalDate)}) ` +
      `succeeded or was skipped; it is ${state}.`,
    facts: { previousRunId: prev.runId, previousLogicalDate: isoTime(prev.logicalDate), previousState: state },
  };
}

/** Its dependencies are met: what slot it waits for (pool, maxActiveTasks, maxActiveCopies) or a worker. */
function slotReasons(f: RunFacts, ti: TaskInstanceRecord, name: string): ExplainReason[] {
  const { slots, run } = f;
  const out: ExplainReason[] = [];
  const pool = slots.pools.find((p) => p.name === ti.pool);
  if (!pool) {
    return [
      {
        code: "pool_missing",
        message: `${name} is ready but its pool "${ti.pool}" does not exist (pools: ${listOf(
          slots.pools.map((p) => p.name),
          10,
        )}): the scheduler fails it when it tries to run it. Create the pool (\`POST /api/v1/pools\`) or fix the task.`,
        facts: { pool: ti.pool, pools: slots.pools.map((p) => p.name) },
      },
    ];
  }
  if (ti.poolSlots > pool.slots) {
    return [
      {
        code: "pool_too_small",
        message: `${name} needs ${ti.poolSlots} slots of pool "${pool.name}", which has only ${pool.slots}: the scheduler fails it when it tries to run it.`,
        facts: { pool: pool.name, slots: pool.slots, needed: ti.poolSlots },
      },
    ];
  }
  const inPool = slots.busy.filter((h) => h.pool === pool.name);
  const used = inPool.reduce((n, h) => n + h.poolSlots, 0);
  if (used + ti.poolSlots > pool.slots) {
    out.push({
      code: "pool_full",
      message:
        `${name} waits for ${ti.poolSlots} slot${ti.poolSlots === 1 ? "" : "s"} of pool "${pool.name}": ${used} of its ${pool.slots} are taken by ` +
        `${listOf(inPool.map(holderName))}.`,
      facts: { pool: pool.name, slots: pool.slots, used, needed: ti.poolSlots, holders: inPool.map(holderFacts) },
    });
  }
  const inDag = slots.busy.filter((h) => h.dagId === run.dagId);
  if (inDag.length >= slots.maxActiveTasks) {
    out.push({
      code: "max_active_tasks",
      message: `DAG "${run.dagId}" allows ${slots.maxActiveTasks} task instance${slots.maxActiveTasks === 1 ? "" : "s"} at once across its runs (maxActiveTasks) and ${listOf(inDag.map(holderName))} take${inDag.length === 1 ? "s" : ""} them: ${name} starts when one ends.`,
      facts: { limit: slots.maxActiveTasks, holders: inDag.map(holderFacts) },
    });
  }
  const maxCopies = ti.mapIndex >= 0 ? (f.version?.spec.tasks.find((t) => t.taskId === ti.taskId)?.map?.maxActive ?? null) : null;
  if (maxCopies !== null) {
    const active = f.taskInstances.filter((t) => t.taskId === ti.taskId && t.mapIndex >= 0 && (t.state === "queued" || t.state === "running"));
    if (active.length >= maxCopies) {
      out.push({
        code: "max_active_copies",
        message: `Task "${ti.taskId}" runs at most ${maxCopies} cop${maxCopies === 1 ? "y" : "ies"} at once in a run (maxActiveCopies) and cop${active.length === 1 ? "y" : "ies"} ${listOf(active.map((t) => String(t.mapIndex)))} ${active.length === 1 ? "is" : "are"} running: ${name.charAt(0).toLowerCase()}${name.slice(1)} starts when one ends.`,
        facts: { limit: maxCopies, activeCopies: active.map((t) => ({ mapIndex: t.mapIndex, state: t.state })) },
      });
    }
  }
  if (out.length > 0) return out;
  const busy = slots.busy.length;
  const queue = queueOf(f, ti.taskId);
  if (queue !== DEFAULT_QUEUE) {
    const q = queueFacts(f, queue);
    return [
      {
        code: "waiting_for_worker",
        message:
          `${name} is ready and its pool "${pool.name}" has a free slot: it runs on queue "${queue}", ` +
          (q.workers === null
            ? "served by the remote workers that listen on it."
            : q.workers === 0
              ? `and ${noWorker(queue)}.`
              : `served by ${plural(q.workers, "worker")} (${plural(q.queuedOnQueue, "attempt")} waiting there); it is handed out when the queue's window has room.`),
        facts: { pool: pool.name, busy, queue, ...q },
      },
    ];
  }
  return [
    {
      code: "waiting_for_worker",
      message: `${name} is ready and its pool "${pool.name}" has a free slot: it starts as soon as a worker is free (${busy} task instance${busy === 1 ? " is" : "s are"} queued or running now).`,
      facts: { pool: pool.name, busy },
    },
  ];
}

/**
 * Handed out, not started: to the local pool, or to remote workers through the mailbox — then
 * which queue, which worker it is assigned to, or that no worker listens on its queue.
 */
function queuedReason(f: RunFacts, ti: TaskInstanceRecord, name: string): ExplainReason {
  const since = ti.queuedAt === null ? "" : `at ${when(ti.queuedAt, f.now)} `;
  const facts = { queuedAt: isoTime(ti.queuedAt), tryNumber: ti.tryNumber, maxTries: ti.maxTries };
  const remote = f.workers?.attempts[`${f.run.id}/${ti.taskId}/${ti.mapIndex}/${ti.tryNumber}`];
  const queue = remote?.queue ?? queueOf(f, ti.taskId);
  if (remote === undefined && (queue === DEFAULT_QUEUE || f.workers === undefined)) {
    return {
      code: "queued_for_worker",
      message: `${name} was handed to a worker ${since}and starts as soon as that worker picks it up (try ${ti.tryNumber}).`,
      facts: { ...facts, ...(queue === DEFAULT_QUEUE ? {} : { queue }) },
    };
  }
  const q = queueFacts(f, queue);
  const all = { ...facts, queue, remoteState: remote?.state ?? null, workerId: remote?.workerId ?? null, ...q };
  if (remote !== undefined && remote.state !== "queued" && remote.workerId !== null) {
    const message =
      remote.state === "assigned"
        ? `${name} was handed to remote worker "${remote.workerId}" (queue "${queue}") and starts as soon as that worker picks it up (try ${ti.tryNumber}).`
        : `${name} was started by remote worker "${remote.workerId}" (queue "${queue}"); the scheduler records it on its next look at the mailbox (try ${ti.tryNumber}).`;
    return { code: "queued_for_worker", message, facts: all };
  }
  return {
    code: "queued_for_worker",
    message:
      `${name} was handed to the remote workers of queue "${queue}" ${since}(try ${ti.tryNumber}) and waits for one to take it: ` +
      (q.workers === 0
        ? `${noWorker(queue)}.`
        : `${plural(q.workers, "worker")} listen${q.workers === 1 ? "s" : ""} on it, ${plural(q.queuedOnQueue, "attempt")} waiting there.`),
    facts: all,
  };
}

/** The task's queue (`queue` option); "default" when absent. */
function queueOf(f: RunFacts, taskId: string): string {
  return f.version?.spec.tasks.find((t) => t.taskId === taskId)?.queue ?? DEFAULT_QUEUE;
}

/** Workers listening on `queue` and attempts waiting there (null when the store keeps no workers). */
function queueFacts(f: RunFacts, queue: string): { workers: number | null; queuedOnQueue: number | null } {
  if (!f.workers) return { workers: null, queuedOnQueue: null };
  return { workers: f.workers.active[queue] ?? 0, queuedOnQueue: f.workers.depths.find((d) => d.queue === queue)?.queued ?? 0 };
}

function noWorker(queue: string): string {
  return `no worker is listening on queue "${queue}": it waits until one connects (\`baton worker --queues ${queue}\`)`;
}

function plural(n: number | null, what: string): string {
  return `${n ?? 0} ${what}${n === 1 ? "" : "s"}`;
}

function finishedReason(f: RunFacts, ti: TaskInstanceRecord, rv: RunViews | null, name: string): ExplainReason {
  const at = ti.endedAt === null ? "" : ` at ${isoTime(ti.endedAt)}`;
  const facts: Record<string, unknown> = { state: ti.state, endedAt: isoTime(ti.endedAt), tryNumber: ti.tryNumber, maxTries: ti.maxTries, error: ti.error };
  let why: string;
  switch (ti.state) {
    case "success":
      why = `succeeded${at}${ti.tryNumber > 1 ? ` on try ${ti.tryNumber}` : ""}`;
      break;
    case "failed":
      why = `failed${at} on try ${ti.tryNumber} of ${ti.maxTries}${ti.tryNumber >= ti.maxTries ? " (no retries left)" : ""}${ti.error ? `: ${firstLine(ti.error)}` : ""}`;
      break;
    case "removed":
      why =
        ti.mapIndex >= 0 ? "was removed: the list it was mapped over got shorter when the task ran again" : "was removed: the DAG's version no longer has it";
      break;
    default: {
      const ups = rv && ti.mapIndex < 0 ? upstreamStates(rv, ti.taskId) : [];
      const rule = rv?.graph.tasks.get(ti.taskId)?.triggerRule ?? null;
      facts.triggerRule = rule;
      facts.upstream = ups;
      const bad = ups.filter((u) => (ti.state === "skipped" ? u.state === "skipped" : u.state === "failed" || u.state === "upstream_failed"));
      if (ti.state === "skipped") {
        why = ti.error
          ? `was skipped${at}: ${firstLine(ti.error)}`
          : `was skipped${at}${bad.length > 0 ? `: upstream ${listOf(bad.map((u) => `"${u.taskId}"`))} ${bad.length === 1 ? "was" : "were"} skipped (trigger rule ${rule})` : " by a branch or short-circuit upstream, or by its trigger rule"}`;
      } else {
        why = `did not run${at}: upstream ${listOf(bad.map((u) => `"${u.taskId}" (${u.state})`))} ${bad.length === 1 ? "has" : "have"} not succeeded, and its trigger rule ${rule} needs ${RULE_NEEDS[rule ?? ""] ?? rule}`;
      }
    }
  }
  return { code: "finished", message: `${name} is finished: it ${why}.`, facts };
}

function mappedCopiesReason(f: RunFacts, ti: TaskInstanceRecord, rv: RunViews | null, name: string): ExplainReason {
  const all = copies(f, ti);
  const counts: Record<string, number> = {};
  for (const c of all) counts[c.state] = (counts[c.state] ?? 0) + 1;
  const firstWaiting = all.find(
    (c) =>
      c.state === "none" ||
      c.state === "scheduled" ||
      c.state === "up_for_retry" ||
      c.state === "up_for_reschedule" ||
      c.state === "deferred" ||
      c.state === "queued",
  );
  const example = firstWaiting ? taskReasons(f, firstWaiting, rv) : [];
  const summary = Object.entries(counts)
    .map(([s, n]) => `${n} ${s}`)
    .join(", ");
  return {
    code: "mapped_copies",
    message: `${name} is mapped into ${all.length} cop${all.length === 1 ? "y" : "ies"} (${summary}); it ends when the last one does.${example[0] ? ` ${example[0].message}` : ""}`,
    facts: { copies: all.length, states: counts, firstWaitingCopy: firstWaiting ? { mapIndex: firstWaiting.mapIndex, reasons: example } : null },
  };
}

function isMappedParent(f: RunFacts, ti: TaskInstanceRecord): boolean {
  return ti.mapIndex < 0 && f.taskInstances.some((t) => t.taskId === ti.taskId && t.mapIndex >= 0);
}

function copies(f: RunFacts, ti: TaskInstanceRecord): TaskInstanceRecord[] {
  return f.taskInstances.filter((t) => t.taskId === ti.taskId && t.mapIndex >= 0 && t.state !== "removed").sort((a, b) => a.mapIndex - b.mapIndex);
}

export function versionMissing(f: RunFacts): ExplainReason {
  return {
    code: "dag_version_missing",
    message: `The DAG version "${f.run.dagVersion}" this run uses is not in the store: the scheduler cannot run it and fails it when it starts.`,
    facts: { dagVersion: f.run.dagVersion },
  };
}

function holderName(h: Holder): string {
  return `"${h.taskId}${h.mapIndex >= 0 ? `[${h.mapIndex}]` : ""}" of ${h.dagId}/${h.runId} (${h.state}${h.poolSlots === 1 ? "" : `, ${h.poolSlots} slots`})`;
}

function holderFacts(h: Holder): Holder {
  return { dagId: h.dagId, runId: h.runId, taskId: h.taskId, mapIndex: h.mapIndex, state: h.state, pool: h.pool, poolSlots: h.poolSlots };
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
