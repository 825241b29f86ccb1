import type { DagGraph } from "../core/graph/dag-graph.js";
import { InvalidInputError } from "../core/errors.js";
import type { DagRecord, DagVersionRecord, DatasetEventRecord } from "../core/model/records.js";
import type { DatasetStore } from "../core/ports/dataset-store.js";
import type { Logger } from "../core/ports/logger.js";
import type { Store } from "../core/ports/store.js";
import { buildRun } from "./run-factory.js";

/** Most triggering events listed in a run's conf (the newest ones). */
const MAX_LISTED_EVENTS = 100;

/** What a dataset-triggered run's conf says about why it exists. */
export interface TriggeringDatasetEvent {
  id: number;
  uri: string;
  createdAt: number;
  source: DatasetEventRecord["source"];
}

/**
 * Creates a run for each dataset-scheduled DAG whose datasets have ALL been updated since its
 * last dataset-triggered run. The DAG's cursor (newest event id consumed) then moves to the
 * newest of those events, so several events of one dataset collapse into one run. Events older
 * than the DAG itself do not count. Idempotent: the run id derives from the cursor it moves to.
 */
export async function createDatasetRuns(ctx: {
  store: Store;
  datasets: DatasetStore;
  dags: Map<string, DagRecord>;
  version: (hash: string) => Promise<{ version: DagVersionRecord; graph: DagGraph } | undefined>;
  logger: Logger;
  now: number;
}): Promise<void> {
  for (const dag of ctx.dags.values()) {
    if (!dag.active || dag.paused) continue;
    const v = await ctx.version(dag.latestVersion);
    const schedule = v?.version.spec.schedule;
    if (!v || schedule?.kind !== "datasets") continue;
    const cursor = await ctx.datasets.getDatasetCursor(dag.dagId);
    const newest = await newestEvents(ctx.datasets, schedule.uris, cursor, dag.createdAt);
    if (newest === null) continue;

    const newCursor = Math.max(...newest.map((e) => e.id));
    const events = await ctx.datasets.listDatasetEvents({ uris: schedule.uris, afterId: cursor, limit: MAX_LISTED_EVENTS });
    const triggeringDatasetEvents: TriggeringDatasetEvent[] = events
      .filter((e) => e.id <= newCursor && e.createdAt >= dag.createdAt)
      .map((e) => ({ id: e.id, uri: e.uri, createdAt: e.createdAt, source: e.source }));
    const request = {
      version: v.version,
      runType: "dataset" as const,
      interval: { logicalDate: ctx.now, dataIntervalStart: ctx.now, dataIntervalEnd: ctx.now, runAfter: ctx.now },
      runId: `dataset__e${newCursor}`,
      now: ctx.now,
    };
    let built;
    try {
      built = buildRun({ ...request, conf: { triggeringDatasetEvents } });
    } catch (error) {
      // A params schema that allows no extra keys: the run still happens, without the list.
      if (!(error instanceof InvalidInputError)) throw error;
      built = buildRun(request);
    }
    await ctx.store.createRun(built.run, built.tis);
    await ctx.datasets.setDatasetCursor(dag.dagId, newCursor, ctx.now);
    ctx.logger.info({ dagId: dag.dagId, runId: built.run.runId, events: triggeringDatasetEvents.length }, "dataset-triggered run created");
  }
}

/**
 * The newest event of each URI after `cursor` (one index probe per URI), or null when some URI
 * has none, or only events older than the DAG.
 */
async function newestEvents(datasets: DatasetStore, uris: string[], cursor: number, since: number): Promise<DatasetEventRecord[] | null> {
  const newest: DatasetEventRecord[] = [];
  for (const uri of new Set(uris)) {
    const [event] = await datasets.listDatasetEvents({ uris: [uri], afterId: cursor, limit: 1 });
    if (!event || event.createdAt < since) return null;
    newest.push(event);
  }
  return newest;
}
