import { NotFoundError } from "../core/errors.js";
import { withSetupsAndTeardowns } from "../core/graph/setup-scope.js";
import type { DagGraph } from "../core/graph/dag-graph.js";
import type { CommandRecord, DagVersionRecord, RunRecord, TaskInstanceRecord } from "../core/model/records.js";
import { isFinished } from "../core/model/states.js";
import type { Store } from "../core/ports/store.js";
import { tiKey, type ActiveRun } from "./active-run.js";
import type { StateWriter } from "./state-writer.js";
import type { ChangeCause } from "../core/model/domain-events.js";

/** What applying a command needs from the scheduler. */
export interface CommandHost {
  store: Store;
  /** Every change to a task instance, attempt or run goes through it (for runs not in memory too). */
  writer: StateWriter;
  now(): number;
  active(dagId: string, runId: string): ActiveRun | undefined;
  version(hash: string): Promise<{ version: DagVersionRecord; graph: DagGraph } | undefined>;
  /** Kills the in-flight attempts of these tasks (all when null) and frees their slots. */
  stopAttempts(run: ActiveRun, taskIds: ReadonlySet<string> | null, reason: string): void;
  propagate(run: ActiveRun, changed: string[] | null, now: number): void;
  /** Puts a task instance ready to run (a copy of a mapped task reset by a clear) in the queue. */
  enqueue(run: ActiveRun, ti: TaskInstanceRecord): void;
  finishRun(run: ActiveRun, state: "success" | "failed", note: string | null, now: number, cause?: ChangeCause): void;
}

/** A cleared task instance: back to "none" with fresh tries (history is kept in attempts). */
function cleared(ti: TaskInstanceRecord, graph: DagGraph, now: number): Partial<TaskInstanceRecord> {
  const retries = graph.tasks.get(ti.taskId)?.retries ?? 0;
  return {
    state: "none",
    maxTries: ti.tryNumber + retries + 1,
    infraTries: 0,
    queuedAt: null,
    startedAt: null,
    endedAt: null,
    nextRetryAt: null,
    output: null,
    error: null,
    followed: null,
    sensorWait: null,
    updatedAt: now,
  };
}

function descendants(graph: DagGraph, roots: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    for (const d of graph.downstream.get(stack.pop()!) ?? []) {
      if (!out.has(d)) {
        out.add(d);
        stack.push(d);
      }
    }
  }
  return out;
}

async function loadRun(host: CommandHost, dagId: string, runId: string): Promise<RunRecord> {
  const run = await host.store.getRun(dagId, runId);
  if (!run) throw new NotFoundError(`DAG ${dagId} has no run "${runId}"`);
  return run;
}

/**
 * Mapped tasks among `ids` whose failed copies alone can run again: the task failed (it has
 * copies), and none of its upstream tasks is being cleared (its lists stay what they were).
 */
function copiesToRetry(graph: DagGraph, tis: readonly TaskInstanceRecord[], ids: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const id of ids) {
    if (!graph.tasks.get(id)?.map) continue;
    const own = tis.find((t) => t.taskId === id && t.mapIndex < 0);
    const copies = tis.filter((t) => t.taskId === id && t.mapIndex >= 0 && t.state !== "removed");
    if (own?.state !== "failed" || copies.length === 0) continue;
    if ((graph.upstream.get(id) ?? []).some((u) => ids.has(u))) continue;
    out.add(id);
  }
  return out;
}

const failedCopy = (ti: TaskInstanceRecord) => ti.mapIndex >= 0 && (ti.state === "failed" || ti.state === "upstream_failed");

/**
 * Resets task instances (`which` picks them) and runs the run again: in memory when the run is
 * active, else in the store, with the run queued again for the scheduler to pick up. With
 * `onlyFailedCopies`, a failed mapped task whose lists are unchanged re-runs only its failed copies
 * (the successful ones keep their results), as Airflow clears single map indexes. A cleared
 * task's setups and their teardowns are cleared with it (Airflow's setup/teardown scope).
 */
async function clearTasks(
  host: CommandHost,
  dagId: string,
  runId: string,
  which: (ti: TaskInstanceRecord, graph: DagGraph) => boolean,
  note: string,
  onlyFailedCopies = false,
): Promise<string> {
  const now = host.now();
  const live = host.active(dagId, runId);
  if (live) {
    const ids = withSetupsAndTeardowns(live.graph, new Set([...live.tis.values()].filter((ti) => which(ti, live.graph)).map((ti) => ti.taskId)));
    const partial = onlyFailedCopies ? copiesToRetry(live.graph, [...live.tis.values()], ids) : new Set<string>();
    host.stopAttempts(live, ids, note);
    let copiesReset = 0;
    for (const id of partial) {
      for (const copy of live.copies.get(id) ?? []) {
        if (!copy || !failedCopy(copy)) continue;
        const ti = host.writer.task(live, tiKey(id, copy.mapIndex), { ...cleared(copy, live.graph, now), state: "scheduled" }, now);
        host.enqueue(live, ti);
        copiesReset++;
      }
      host.writer.task(live, id, { state: "running", endedAt: null, error: null, output: null }, now);
    }
    for (const id of ids) {
      if (partial.has(id)) continue;
      live.blocked.delete(id);
      // A mapped task is expanded again (its copies continue their try numbers).
      host.writer.dropCopies(live, id, now);
      host.writer.task(live, id, cleared(live.tis.get(id)!, live.graph, now), now);
    }
    host.propagate(live, null, now);
    return `ok: cleared ${ids.size - partial.size + copiesReset} task instance(s)`;
  }
  const run = await loadRun(host, dagId, runId);
  const v = await host.version(run.dagVersion);
  if (!v) throw new NotFoundError(`DAG version ${run.dagVersion} of run ${runId} is missing`);
  const all = await host.store.listTaskInstances(run.id);
  const chosen = withSetupsAndTeardowns(v.graph, new Set(all.filter((ti) => which(ti, v.graph)).map((ti) => ti.taskId)));
  const tis = all.filter((ti) => chosen.has(ti.taskId));
  const partial = onlyFailedCopies ? copiesToRetry(v.graph, all, new Set(tis.map((ti) => ti.taskId))) : new Set<string>();
  const stateOf = new Map(tis.map((ti) => [tiKey(ti.taskId, ti.mapIndex), ti.state]));
  const changed = tis.flatMap((ti): TaskInstanceRecord[] => {
    if (partial.has(ti.taskId)) {
      // The mapped task waits for its reset copies; the scheduler queues "scheduled" copies when it loads the run.
      if (ti.mapIndex < 0) return [{ ...ti, state: "running", endedAt: null, error: null, output: null, updatedAt: now }];
      return failedCopy(ti) ? [{ ...ti, ...cleared(ti, v.graph, now), state: "scheduled" }] : [];
    }
    // Copies of a mapped task are replaced when the task is expanded again.
    return [ti.mapIndex >= 0 ? { ...ti, state: "removed" as const, updatedAt: now } : { ...ti, ...cleared(ti, v.graph, now) }];
  });
  for (const ti of changed) host.writer.storedTask(run, stateOf.get(tiKey(ti.taskId, ti.mapIndex)) ?? "none", ti, now);
  if (changed.length > 0) host.writer.run(run, { state: "queued", startedAt: null, endedAt: null, note }, now);
  // Counted: task instances that run again — tasks cleared whole, and copies reset on their own.
  return `ok: cleared ${changed.filter((ti) => ti.mapIndex < 0 !== partial.has(ti.taskId)).length} task instance(s)`;
}

/** How an unfinished task instance ends when its whole run is ended in `state` (mark, cancel, run timeout). */
function settleOnRunEnd(ti: TaskInstanceRecord, state: "success" | "failed", note: string, now: number): Partial<TaskInstanceRecord> | null {
  if (isFinished(ti.state)) return null;
  if (state === "success") return { state: "success", endedAt: now, error: null };
  // A deferred sensor's attempt goes on in the triggerer: it is running too.
  const wasRunning = ti.state === "running" || ti.state === "queued" || ti.state === "deferred";
  return { state: wasRunning ? "failed" : "skipped", endedAt: now, error: note };
}

/**
 * Ends a run held in memory in `state`: its running attempts stop (recorded failed, slots freed),
 * unfinished task instances become success, or failed (were running) / skipped (had not started).
 * Mark, cancel and the run timeout all end a run through here.
 */
export function endLiveRun(
  host: Pick<CommandHost, "stopAttempts" | "writer" | "finishRun">,
  live: ActiveRun,
  state: "success" | "failed",
  note: string,
  now: number,
  cause: ChangeCause = null,
): void {
  host.stopAttempts(live, null, note);
  for (const [key, ti] of [...live.tis]) {
    const patch = settleOnRunEnd(ti, state, note, now);
    if (patch) host.writer.task(live, key, patch, now, true, cause);
  }
  host.finishRun(live, state, note, now, cause);
}

/** Ends a run in `state`: running attempts stop; unfinished task instances become success, or failed/skipped. */
async function markRun(host: CommandHost, dagId: string, runId: string, state: "success" | "failed", note: string): Promise<string> {
  const now = host.now();
  const live = host.active(dagId, runId);
  if (live) {
    endLiveRun(host, live, state, note, now, "user");
    return "ok";
  }
  const run = await loadRun(host, dagId, runId);
  for (const ti of await host.store.listTaskInstances(run.id)) {
    const patch = settleOnRunEnd(ti, state, note, now);
    if (patch) host.writer.storedTask(run, ti.state, { ...ti, ...patch, updatedAt: now }, now, "user");
  }
  host.writer.run(run, { state, endedAt: run.endedAt ?? now, note }, now, "user");
  return "ok";
}

async function markTasks(host: CommandHost, dagId: string, runId: string, taskIds: string[], state: "success" | "failed", note: string): Promise<string> {
  const now = host.now();
  const live = host.active(dagId, runId);
  if (live) {
    const ids = new Set(taskIds.filter((t) => live.tis.has(t)));
    host.stopAttempts(live, ids, note);
    for (const id of ids) {
      live.blocked.delete(id);
      const patch = { state, endedAt: now, nextRetryAt: null, error: state === "failed" ? note : null };
      // Unfinished copies of a mapped task take the task's new state.
      for (const copy of live.copies.get(id) ?? []) {
        if (copy && !isFinished(copy.state)) host.writer.task(live, tiKey(id, copy.mapIndex), patch, now, true, "user");
      }
      host.writer.task(live, id, patch, now, true, "user");
    }
    host.propagate(live, [...ids], now);
    return `ok: marked ${ids.size} task instance(s) ${state}`;
  }
  const run = await loadRun(host, dagId, runId);
  const tis = (await host.store.listTaskInstances(run.id)).filter((ti) => taskIds.includes(ti.taskId));
  for (const ti of tis)
    host.writer.storedTask(
      run,
      ti.state,
      { ...ti, state, endedAt: now, nextRetryAt: null, error: state === "failed" ? note : null, updatedAt: now },
      now,
      "user",
    );
  return `ok: marked ${tis.length} task instance(s) ${state}`;
}

async function cancelBackfill(host: CommandHost, backfillId: number, note: string): Promise<string> {
  const now = host.now();
  const b = await host.store.getBackfill(backfillId);
  if (!b) throw new NotFoundError(`no backfill ${backfillId}`);
  const queued = await host.store.listRuns({ backfillId, states: ["queued"], limit: 1_000_000 });
  host.writer.backfill({ id: backfillId, state: "cancelled", endedAt: now });
  for (const r of queued) host.writer.run(r, { state: "failed", endedAt: now, note }, now, "user");
  return `ok: cancelled; ${queued.length} queued run(s) failed`;
}

/** Applies one command; returns its result text (errors become "error: …" results). */
export async function applyCommand(host: CommandHost, cmd: CommandRecord): Promise<string> {
  const by = cmd.requestedBy ? ` by ${cmd.requestedBy}` : "";
  try {
    switch (cmd.kind) {
      case "clear_run": {
        const p = cmd.payload as CommandRecord<"clear_run">["payload"];
        const failedOnly = (ti: TaskInstanceRecord) => ti.state === "failed" || ti.state === "upstream_failed";
        return await clearTasks(host, p.dagId, p.runId, p.onlyFailed ? failedOnly : () => true, `cleared${by}`, p.onlyFailed);
      }
      case "clear_tasks": {
        const p = cmd.payload as CommandRecord<"clear_tasks">["payload"];
        let chosen: Set<string> | null = null;
        return await clearTasks(
          host,
          p.dagId,
          p.runId,
          (ti, graph) => {
            chosen ??= new Set([...p.taskIds, ...(p.downstream ? descendants(graph, p.taskIds) : [])]);
            return chosen.has(ti.taskId);
          },
          `task(s) cleared${by}`,
        );
      }
      case "mark_run": {
        const p = cmd.payload as CommandRecord<"mark_run">["payload"];
        return await markRun(host, p.dagId, p.runId, p.state, `marked ${p.state}${by}`);
      }
      case "mark_tasks": {
        const p = cmd.payload as CommandRecord<"mark_tasks">["payload"];
        return await markTasks(host, p.dagId, p.runId, p.taskIds, p.state, `marked ${p.state}${by}`);
      }
      case "cancel_run": {
        const p = cmd.payload as CommandRecord<"cancel_run">["payload"];
        return await markRun(host, p.dagId, p.runId, "failed", `cancelled${by}`);
      }
      case "cancel_backfill": {
        const p = cmd.payload as CommandRecord<"cancel_backfill">["payload"];
        return await cancelBackfill(host, p.backfillId, `backfill ${p.backfillId} cancelled${by}`);
      }
    }
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
  return `error: unknown command kind "${String(cmd.kind)}"`;
}
