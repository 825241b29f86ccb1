import { hostname } from "node:os";
import type { RunRecord } from "../../core/model/records.js";
import type { WorkerRecord } from "../../core/model/workers.js";
import { alwaysAvailable } from "../../core/ports/store-availability.js";
import type { SchedulerLoad } from "../../core/ports/overview-store.js";
import type { SchedulerLeaseRecord } from "../../core/ports/scheduler-leases.js";
import type { RouteDeps } from "../api-deps.js";
import { diskHealth } from "../routes/disk-health.js";
import { DEFAULT_LIVENESS, livenessLevel, schedulerLiveness, workerLiveness, worstLevel, type Level, type LivenessSettings } from "./component-health.js";
import { iso } from "./iso.js";
import { queueViews } from "./worker-views.js";

/** Failures, missed deadlines and anomalies are counted over this window. */
export const OVERVIEW_WINDOW_MS = 86_400_000;
/** Stopped and lost schedulers and workers stay listed this long after they went. */
export const GONE_LISTED_MS = 3_600_000;
/** A pool is near full from this share of its slots taken (queued or running). */
export const POOL_NEAR_FULL = 0.8;
/** Items listed per section (the counts are complete; lists link to the full pages). */
const LIST = 5;
/** Missed deadlines are counted up to this many. */
const COUNT_CAP = 100;

export interface ComponentView {
  kind: "scheduler" | "api" | "triggerer" | "dag-processor" | "worker" | "store" | "disk";
  id: string;
  name: string;
  state: string;
  level: Level;
  version: string | null;
  lastHeartbeat: string | null;
  startedAt: string | null;
  detail: string | null;
  load: { dags: number; queuedRuns: number; runningRuns: number } | null;
  running: number | null;
  concurrency: number | null;
}

const component = (c: Pick<ComponentView, "kind" | "id" | "name" | "state" | "level"> & Partial<ComponentView>): ComponentView => ({
  version: null,
  lastHeartbeat: null,
  startedAt: null,
  detail: null,
  load: null,
  running: null,
  concurrency: null,
  ...c,
});

function schedulerViews(leases: SchedulerLeaseRecord[], loads: SchedulerLoad[], now: number, s: LivenessSettings): ComponentView[] {
  const byId = new Map(loads.map((l) => [l.schedulerId, l]));
  return leases
    .filter((l) => l.fencedAt === null || now - l.fencedAt <= GONE_LISTED_MS)
    .map((l) => {
      const state = schedulerLiveness(l, now, s);
      const load = byId.get(l.id);
      const fenced =
        l.fencedAt === null ? null : l.fencedBy === l.id ? "stopped itself" : `fenced by ${l.fencedBy ?? "another scheduler"}; its work was adopted`;
      return component({
        kind: "scheduler",
        id: l.id,
        name: `${l.host}:${l.pid}`,
        state,
        level: livenessLevel(state, l.fencedAt !== null),
        version: l.version,
        lastHeartbeat: iso(l.beatAt),
        startedAt: iso(l.startedAt),
        detail: fenced,
        load: { dags: load?.dags ?? 0, queuedRuns: load?.queuedRuns ?? 0, runningRuns: load?.runningRuns ?? 0 },
      });
    });
}

/** The triggerer and the DAG processor run inside every scheduler process: as alive as the best of them. */
function hostedViews(unfenced: ComponentView[], importErrors: number): ComponentView[] {
  const live = unfenced;
  const best = live.find((c) => c.state === "healthy") ?? live.find((c) => c.state === "late") ?? null;
  const state = best?.state ?? "lost";
  const level: Level = best === null ? "critical" : best.level;
  const hosts = live.filter((c) => c.state !== "lost").length;
  const where = `runs in each scheduler process (${hosts} alive)`;
  return [
    component({
      kind: "triggerer",
      id: "triggerer",
      name: "Triggerer",
      state,
      level,
      version: best?.version ?? null,
      lastHeartbeat: best?.lastHeartbeat ?? null,
      detail: where,
    }),
    component({
      kind: "dag-processor",
      id: "dag-processor",
      name: "DAG processor",
      state,
      level,
      version: best?.version ?? null,
      lastHeartbeat: best?.lastHeartbeat ?? null,
      detail: `${where}; ${importErrors} import error(s)`,
    }),
  ];
}

function workerViews(workers: WorkerRecord[], now: number, s: LivenessSettings): ComponentView[] {
  return workers
    .filter((w) => w.state === "active" || w.state === "draining" || now - w.stateChangedAt <= GONE_LISTED_MS)
    .map((w) => {
      const state = workerLiveness(w, now, s);
      return component({
        kind: "worker",
        id: w.id,
        name: w.name,
        state,
        level: livenessLevel(state),
        version: w.version,
        lastHeartbeat: iso(w.lastSeenAt),
        startedAt: iso(w.startedAt),
        detail: w.state === "draining" ? "draining" : w.reason,
        running: w.running,
        concurrency: w.concurrency,
      });
    });
}

const runSummary = (r: RunRecord) => ({
  dagId: r.dagId,
  runId: r.runId,
  state: r.state,
  runType: r.runType,
  startedAt: iso(r.startedAt),
  endedAt: iso(r.endedAt),
});

/** Everything `GET /api/v1/overview` answers: read at once, each part by one or two statements. */
export async function buildOverview(deps: RouteDeps) {
  const now = deps.now();
  const since = now - OVERVIEW_WINDOW_MS;
  const s = deps.liveness ?? DEFAULT_LIVENESS;
  const availability = (deps.storeAvailability ?? alwaysAvailable).current();
  const [leases, loads, counts, failed, running, importErrors, pools, tis, workers, depths, missed, anomalyCounts, anomalies, disk] = await Promise.all([
    deps.leases?.listSchedulerLeases() ?? Promise.resolve([]),
    deps.overview?.schedulerLoads() ?? Promise.resolve([]),
    deps.overview?.countRuns(since) ?? Promise.resolve(null),
    deps.store.listRuns({ states: ["failed"], limit: 50 }),
    deps.store.listRuns({ states: ["running"], limit: LIST }),
    deps.store.listImportErrors(),
    deps.store.listPools(),
    deps.store.listTaskInstancesInStates(["queued", "running"]),
    deps.workers?.listWorkers(now - GONE_LISTED_MS) ?? Promise.resolve(null),
    deps.workers?.remoteQueueDepths() ?? Promise.resolve([]),
    deps.deadlines?.listMissedDeadlines({ since, limit: COUNT_CAP + 1 }) ?? Promise.resolve(null),
    deps.anomalies?.countAnomaliesByDag(since) ?? Promise.resolve(null),
    deps.anomalies?.listAnomalies({ since, limit: LIST }) ?? Promise.resolve([]),
    deps.homeDir === undefined ? Promise.resolve(null) : diskHealth(deps.homeDir, deps.infraErrors),
  ]);

  const schedulers = schedulerViews(leases, loads, now, s);
  const components: ComponentView[] = [
    ...schedulers,
    component({
      kind: "api",
      id: `${hostname()}:${process.pid}`,
      name: `${hostname()}:${process.pid}`,
      state: "healthy",
      level: "ok",
      version: deps.version ?? null,
      startedAt: iso(Math.round(now - process.uptime() * 1000)),
      detail: "this server (it answered)",
    }),
    ...hostedViews(
      schedulers.filter((c) => leases.some((l) => l.id === c.id && l.fencedAt === null)),
      importErrors.length,
    ),
    ...(workers === null ? [] : workerViews(workers, now, s)),
    component({
      kind: "store",
      id: "store",
      name: "Store",
      state: availability.status === "unavailable" ? "unavailable" : "ok",
      level: availability.status === "unavailable" ? "critical" : "ok",
      detail: availability.status === "unavailable" ? availability.error : null,
    }),
    ...(disk === null
      ? []
      : [
          component({
            kind: "disk",
            id: "disk",
            name: "Disk",
            state: disk.status,
            level: disk.status === "full" ? "critical" : disk.status === "low" ? "warning" : "ok",
            detail:
              disk.freeBytes === null || disk.totalBytes === null
                ? disk.path
                : `${disk.path}: ${formatBytes(disk.freeBytes)} free of ${formatBytes(disk.totalBytes)}`,
          }),
        ]),
  ];

  const used = new Map<string, { queued: number; running: number }>();
  let tiQueued = 0;
  let tiRunning = 0;
  for (const ti of tis) {
    const u = used.get(ti.pool) ?? { queued: 0, running: 0 };
    if (ti.state === "queued") {
      u.queued += ti.poolSlots;
      tiQueued++;
    } else {
      u.running += ti.poolSlots;
      tiRunning++;
    }
    used.set(ti.pool, u);
  }
  const nearFull = pools
    .map((p) => {
      const u = used.get(p.name) ?? { queued: 0, running: 0 };
      const taken = u.queued + u.running;
      return {
        name: p.name,
        slots: p.slots,
        queuedSlots: u.queued,
        runningSlots: u.running,
        openSlots: Math.max(0, p.slots - taken),
        full: taken >= p.slots,
        share: p.slots > 0 ? taken / p.slots : taken > 0 ? 1 : 0,
      };
    })
    .filter((p) => p.share >= POOL_NEAR_FULL)
    .sort((a, b) => b.share - a.share || a.name.localeCompare(b.name))
    .map(({ share, ...p }) => (void share, p));

  const recentFailed = failed.filter((r) => (r.endedAt ?? r.startedAt ?? 0) >= since);
  const anomalyTotal = anomalyCounts === null ? null : Object.values(anomalyCounts).reduce((a, b) => a + b, 0);
  return {
    generatedAt: iso(now)!,
    level: worstLevel(components.map((c) => c.level)),
    components,
    runs: {
      since: iso(since)!,
      queued: counts?.queued ?? null,
      running: counts?.running ?? null,
      failed: counts?.failedSince ?? recentFailed.length,
      recentFailed: recentFailed.slice(0, LIST).map(runSummary),
      recentRunning: running.map(runSummary),
    },
    missedDeadlines:
      missed === null
        ? null
        : {
            count: Math.min(missed.length, COUNT_CAP),
            more: missed.length > COUNT_CAP,
            items: missed.slice(0, LIST).map((m) => ({
              id: m.id,
              dagId: m.dagId,
              runId: m.runId,
              taskId: m.taskId,
              description: m.description,
              dueAt: iso(m.dueAt)!,
              detectedAt: iso(m.detectedAt)!,
            })),
          },
    anomalies:
      anomalyTotal === null
        ? null
        : {
            count: anomalyTotal,
            items: anomalies.map((a) => ({
              id: a.id,
              dagId: a.dagId,
              runId: a.runId,
              taskId: a.taskId,
              metric: a.metric,
              value: a.value,
              median: a.median,
              detectedAt: iso(a.detectedAt)!,
            })),
          },
    importErrors: {
      count: importErrors.length,
      items: importErrors.slice(0, LIST).map((e) => ({ file: e.file, line: e.line, message: e.message, at: iso(e.at) })),
    },
    pools: nearFull,
    queues: workers === null ? null : queueViews(depths, workers),
    taskInstances: { queued: tiQueued, running: tiRunning },
  };
}

function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
