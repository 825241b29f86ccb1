import { BatonError } from "../core/errors.js";
import type { RunRecord } from "../core/model/records.js";
import type { Clock } from "../core/ports/clock.js";
import type { Store } from "../core/ports/store.js";
import { buildRun } from "../scheduler/run-factory.js";

/** The DAG is paused, inactive or gone: the event must stay unacknowledged (it is delivered again later). */
export class DagUnavailableError extends BatonError {}

export interface EventRun {
  run: RunRecord;
  /** False when a run with that id was already there (a redelivery, or a file seen before a restart). */
  created: boolean;
}

/**
 * Creates the runs of events, durably, of the DAG's latest version: type "event", logical date
 * and a zero-width data interval at creation, conf carrying the event. Idempotent by run id.
 */
export class EventRunWriter {
  constructor(private readonly deps: { store: Store; clock: Clock; wake: () => void }) {}

  find(dagId: string, runId: string): Promise<RunRecord | undefined> {
    return this.deps.store.getRun(dagId, runId);
  }

  /**
   * Creates the run, or returns the existing one with that id. Throws DagUnavailableError when
   * the DAG may not run now, InvalidInputError when its params refuse the conf.
   */
  async create(dagId: string, runId: string, conf: Record<string, unknown>): Promise<EventRun> {
    const { store, clock } = this.deps;
    const dag = await store.getDag(dagId);
    if (!dag?.active || dag.paused) throw new DagUnavailableError(`DAG ${dagId} is ${dag === undefined ? "unknown" : dag.paused ? "paused" : "inactive"}`);
    const version = await store.getDagVersion(dag.latestVersion);
    if (!version) throw new DagUnavailableError(`DAG ${dagId}: version ${dag.latestVersion} not found`);
    const now = clock.now();
    const interval = { logicalDate: now, dataIntervalStart: now, dataIntervalEnd: now, runAfter: now };
    const { run, tis } = buildRun({ version, runType: "event", interval, conf, runId, now });
    const created = await store.createRun(run, tis);
    if (created) {
      this.deps.wake();
      return { run: created, created: true };
    }
    const existing = await store.getRun(dagId, runId);
    if (!existing) throw new BatonError(`DAG ${dagId}: run ${runId} was neither created nor found`);
    return { run: existing, created: false };
  }
}
