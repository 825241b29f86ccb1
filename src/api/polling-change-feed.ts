import type { RunRecord } from "../core/model/records.js";
import type { RunState, TaskState } from "../core/model/states.js";
import type { ChangeEvent, ChangeFeed } from "../core/ports/change-feed.js";
import type { Store } from "../core/ports/store.js";

/** Newest runs looked at each poll besides the active ones (finished ones show up there). */
const RECENT_RUNS = 100;
const MAX_ACTIVE_RUNS = 5_000;

/**
 * A ChangeFeed for `baton api` running without a scheduler in the process: polls the store every
 * `intervalMs` while someone listens and emits what changed since the previous poll — DAGs
 * (loaded, paused), runs (queued/running plus recently ended) and the task instances of active
 * runs. The first poll only takes a baseline. Polling stops when the last listener leaves.
 */
export function pollingChangeFeed(store: Store, intervalMs: number, now: () => number, opts: { dagsOnly?: boolean } = {}): ChangeFeed {
  const listeners = new Set<(event: ChangeEvent) => void>();
  const dags = new Map<string, string>();
  const runs = new Map<number, RunState>();
  const tasks = new Map<number, Map<string, TaskState>>();
  let timer: NodeJS.Timeout | undefined;
  /** Bumped on each start and stop, so a poll in flight from an earlier start stops there. */
  let generation = 0;
  let polling = false;
  let baseline = true;
  let lastPoll = now();

  const emit = (event: ChangeEvent) => {
    if (baseline) return;
    for (const listener of [...listeners]) listener(event);
  };

  const pollDags = async () => {
    for (const d of await store.listDags()) {
      const key = `${d.latestVersion}|${d.paused}|${d.active}`;
      if (dags.get(d.dagId) !== key) emit({ kind: "dag", dagId: d.dagId });
      dags.set(d.dagId, key);
    }
  };

  const pollRuns = async () => {
    const since = lastPoll - intervalMs;
    lastPoll = now();
    const seen = new Map<number, RunRecord>();
    for (const r of await store.listRuns({ states: ["queued", "running"], limit: MAX_ACTIVE_RUNS })) seen.set(r.id, r);
    for (const r of await store.listRuns({ limit: RECENT_RUNS })) if (r.endedAt !== null && r.endedAt >= since) seen.set(r.id, r);
    for (const id of runs.keys()) {
      if (seen.has(id)) continue;
      const r = await store.getRunById(id);
      if (r) seen.set(id, r);
    }
    for (const r of seen.values()) {
      if (runs.get(r.id) !== r.state) emit({ kind: "run", dagId: r.dagId, runId: r.runId, state: r.state });
    }
    await pollTasks(seen);
    runs.clear();
    for (const r of seen.values()) if (r.state === "queued" || r.state === "running") runs.set(r.id, r.state);
    for (const id of tasks.keys()) if (!runs.has(id)) tasks.delete(id);
  };

  const pollTasks = async (seen: Map<number, RunRecord>) => {
    const ids = [...seen.keys()].filter((id) => runs.has(id) || seen.get(id)?.state === "queued" || seen.get(id)?.state === "running");
    if (ids.length === 0) return;
    for (const ti of await store.listTaskInstancesForRuns(ids)) {
      const run = seen.get(ti.runPk);
      if (!run) continue;
      let states = tasks.get(ti.runPk);
      const known = states !== undefined;
      if (!states) tasks.set(ti.runPk, (states = new Map()));
      const key = `${ti.taskId}\u0000${ti.mapIndex}`;
      const before = states.get(key);
      if (known && before !== ti.state) emit({ kind: "task", dagId: run.dagId, runId: run.runId, taskId: ti.taskId, state: ti.state });
      states.set(key, ti.state);
    }
  };

  const tick = async (gen: number) => {
    try {
      await pollDags();
      if (!opts.dagsOnly) await pollRuns();
      baseline = false;
    } catch {
      // The store may be briefly unavailable; the next poll tries again.
    }
    if (gen !== generation) return;
    timer = setTimeout(() => void tick(gen), intervalMs);
    timer.unref();
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!polling) {
        polling = true;
        baseline = true;
        dags.clear();
        runs.clear();
        tasks.clear();
        lastPoll = now();
        void tick(++generation);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && polling) {
          polling = false;
          generation++;
          clearTimeout(timer);
          timer = undefined;
        }
      };
    },
  };
}

/**
 * `feed` (the scheduler's own run and task events, in `baton standalone`) plus a poll of the DAGs
 * every `intervalMs` while someone listens: a pause or unpause written by another process (`baton
 * dags pause`) or through this API by another user, and DAG reloads, reach the UI without a reload.
 */
export function withDagPolling(feed: ChangeFeed, store: Store, intervalMs: number, now: () => number): ChangeFeed {
  const dags = pollingChangeFeed(store, intervalMs, now, { dagsOnly: true });
  return {
    subscribe(listener) {
      const offFeed = feed.subscribe(listener);
      const offDags = dags.subscribe(listener);
      return () => {
        offFeed();
        offDags();
      };
    },
  };
}
