import type { PoolRecord } from "../../core/model/records.js";
import type { Store } from "../../core/ports/store.js";
import { iso } from "./iso.js";

/** A task instance holding slots of a pool (queued: handed to a worker, not yet started). */
export interface PoolHolder {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  state: "queued" | "running";
  slots: number;
  tryNumber: number;
  /** When it was queued (or started, when no queued time is recorded). */
  since: string | null;
}

interface Usage {
  queued: number;
  running: number;
  holders: PoolHolder[];
  holdersTotal: number;
}

/** Holders listed per pool; `holdersTotal` counts them all. */
const MAX_HOLDERS = 100;

/**
 * Slots taken per pool by queued and running task instances, with who holds them: one read of
 * those task instances plus one per distinct run among the listed holders (both bounded by the
 * work in flight).
 */
export async function poolUsage(store: Store): Promise<Map<string, Usage>> {
  const out = new Map<string, Usage>();
  const runs = new Map<number, { dagId: string; runId: string } | undefined>();
  const tis = await store.listTaskInstancesInStates(["queued", "running"]);
  tis.sort((a, b) => (a.queuedAt ?? a.startedAt ?? 0) - (b.queuedAt ?? b.startedAt ?? 0));
  for (const ti of tis) {
    let u = out.get(ti.pool);
    if (!u) out.set(ti.pool, (u = { queued: 0, running: 0, holders: [], holdersTotal: 0 }));
    const state = ti.state === "queued" ? "queued" : "running";
    u[state] += ti.poolSlots;
    u.holdersTotal++;
    if (u.holders.length >= MAX_HOLDERS) continue;
    if (!runs.has(ti.runPk)) runs.set(ti.runPk, await store.getRunById(ti.runPk));
    const run = runs.get(ti.runPk);
    if (!run) continue;
    u.holders.push({
      dagId: run.dagId,
      runId: run.runId,
      taskId: ti.taskId,
      mapIndex: ti.mapIndex,
      state,
      slots: ti.poolSlots,
      tryNumber: ti.tryNumber,
      since: iso(ti.queuedAt ?? ti.startedAt),
    });
  }
  return out;
}

export function poolView(p: PoolRecord, usage: Usage | undefined) {
  const queuedSlots = usage?.queued ?? 0;
  const runningSlots = usage?.running ?? 0;
  return {
    name: p.name,
    slots: p.slots,
    description: p.description,
    running: queuedSlots + runningSlots,
    runningSlots,
    queuedSlots,
    openSlots: Math.max(0, p.slots - queuedSlots - runningSlots),
    holders: usage?.holders ?? [],
    holdersTotal: usage?.holdersTotal ?? 0,
  };
}
