import type { MapSpec } from "../core/model/dag-spec.js";
import type { TaskInstanceRecord } from "../core/model/records.js";
import { countedTries } from "../core/retry/may-retry.js";
import { expandMap, mapArguments, mappedTaskState, type MapLists } from "../core/scheduling/expand-map.js";
import { tiKey, type ActiveRun } from "./active-run.js";
import type { StateWriter } from "./state-writer.js";
import { UnreadableOutputError, type TaskOutputs } from "./task-outputs.js";

/** Lists of the current expansion per run and mapped task, so copies don't re-parse upstream values. */
const listsCache = new WeakMap<ActiveRun, Map<string, MapLists>>();

/** The MapSpec of a task, or null (specs stored before mapping existed have none). */
export function mapOf(run: ActiveRun, taskId: string): MapSpec | null {
  return run.graph.tasks.get(taskId)?.map ?? null;
}

export interface Expanded {
  /** Copies ready to run (state "scheduled"). */
  ready: TaskInstanceRecord[];
  /** True when the mapped task ended at once (an empty list: skipped; a bad list: failed). */
  settled: boolean;
}

/**
 * Expands a mapped task whose dependencies are met into one copy per element of its lists.
 * A copy replacing one of an earlier expansion (the task was cleared) continues its try numbers,
 * so attempt history and logs are kept. Every change is recorded through `w`.
 */
export function expandMappedTask(w: StateWriter, run: ActiveRun, taskId: string, now: number, outputs: TaskOutputs): Expanded {
  const map = mapOf(run, taskId)!;
  const parent = run.tis.get(taskId)!;
  w.dropCopies(run, taskId, now);
  const expansion = expandOrError(taskId, map, (u) => outputs.value(run, u));
  if (!expansion.ok) {
    w.task(run, taskId, { state: "failed", error: expansion.error, startedAt: now, endedAt: now }, now);
    return { ready: [], settled: true };
  }
  if (expansion.length === 0) {
    w.task(run, taskId, { state: "skipped", error: "mapped over an empty list: no copies to run", output: "[]", startedAt: now, endedAt: now }, now);
    return { ready: [], settled: true };
  }
  (listsCache.get(run) ?? listsCache.set(run, new Map()).get(run)!).set(taskId, expansion.lists);
  const retries = parent.maxTries - 1 - countedTries(parent);
  const ready: TaskInstanceRecord[] = [];
  for (let i = 0; i < expansion.length; i++) {
    const before = run.tis.get(tiKey(taskId, i));
    const tries = before?.tryNumber ?? 0;
    const copy: TaskInstanceRecord = {
      ...parent,
      mapIndex: i,
      state: "scheduled",
      tryNumber: tries,
      maxTries: tries + retries + 1,
      infraTries: 0,
      queuedAt: null,
      startedAt: null,
      endedAt: null,
      nextRetryAt: null,
      output: null,
      error: null,
      followed: null,
      updatedAt: now,
    };
    w.addCopy(run, copy, now);
    ready.push(copy);
  }
  w.task(run, taskId, { state: "running", startedAt: now, endedAt: null, error: null, output: null }, now);
  return { ready, settled: false };
}

/** expandMap, with an upstream value that cannot be read (a sealed one, with another key) as a failed expansion. */
function expandOrError(taskId: string, map: MapSpec, valueOf: (upstreamId: string) => unknown): ReturnType<typeof expandMap> {
  try {
    return expandMap(taskId, map, valueOf);
  } catch (e) {
    if (e instanceof UnreadableOutputError) return { ok: false, error: e.message };
    throw e;
  }
}

/** The arguments copy `mapIndex` receives for its mapped inputs and `partial`. */
export function copyArguments(run: ActiveRun, taskId: string, mapIndex: number, outputs: TaskOutputs): Record<string, unknown> {
  const map = mapOf(run, taskId);
  if (!map) return {};
  let lists = listsCache.get(run)?.get(taskId);
  if (!lists) {
    // After a restart: the upstream values are in the run's rows.
    const expansion = expandMap(taskId, map, (u) => outputs.value(run, u));
    if (!expansion.ok) throw new Error(expansion.error);
    lists = expansion.lists;
    (listsCache.get(run) ?? listsCache.set(run, new Map()).get(run)!).set(taskId, lists);
  }
  return mapArguments(map, lists, mapIndex);
}

/**
 * Once every copy of a mapped task is finished, gives the task its state (failed if a copy failed,
 * success if one succeeded, else skipped) and its value: the list of the results of the copies
 * that succeeded, in map-index order (sealed when a copy's value was). Records it through `w` and
 * returns the updated row, or null while copies remain.
 */
export function settleMappedTask(w: StateWriter, run: ActiveRun, taskId: string, now: number, outputs: TaskOutputs): TaskInstanceRecord | null {
  const parent = run.tis.get(taskId);
  if (!parent || parent.state !== "running") return null;
  const copies = (run.copies.get(taskId) ?? []).filter((c) => c !== undefined);
  const state = mappedTaskState(copies.map((c) => c.state));
  if (state === null) return null;
  const failed = copies.filter((c) => c.state === "failed" || c.state === "upstream_failed").map((c) => c.mapIndex);
  const combined = outputs.combine(run, taskId, copies);
  if (combined.error !== null) return w.task(run, taskId, { state: "failed", output: null, error: combined.error, endedAt: now }, now);
  const error =
    failed.length === 0
      ? null
      : `${failed.length} of ${copies.length} copies failed (map index ${failed.slice(0, 10).join(", ")}${failed.length > 10 ? ", …" : ""})`;
  return w.task(run, taskId, { state, output: combined.output, error, endedAt: now }, now);
}
