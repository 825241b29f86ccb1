import type { Kysely } from "kysely";
import type { Anomaly, AnomalyRecord, AttemptMetrics } from "../core/anomaly/anomaly.js";
import type { MetricPoint, Season } from "../core/anomaly/robust-baseline.js";
import type { EpochMs } from "../core/model/records.js";
import type { AnomalyFilter, AnomalyStore } from "../core/ports/anomaly-store.js";
import type { Database } from "./schema/database.js";

const KEY = ["run_pk", "task_id", "map_index", "try_number", "metric"] as const;

/** Task metrics and anomalies over the store's Kysely handle (`store.anomalies`; docs/anomalies.md). */
export class KyselyAnomalyStore implements AnomalyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async recordAttemptMetrics(m: AttemptMetrics): Promise<void> {
    const rows = Object.entries(m.values).map(([metric, value]) => ({
      dag_id: m.dagId,
      task_id: m.taskId,
      run_id: m.runId,
      run_pk: m.runPk,
      map_index: m.mapIndex,
      try_number: m.tryNumber,
      metric,
      value,
      at: m.at,
    }));
    if (rows.length === 0) return;
    await this.db
      .insertInto("task_metrics")
      .values(rows)
      .onConflict((oc) => oc.columns([...KEY]).doNothing())
      .execute();
  }

  async metricHistory(q: { dagId: string; taskId: string; metric: string; before: EpochMs; limit: number }): Promise<MetricPoint[]> {
    const rows = await this.db
      .selectFrom("task_metrics")
      .select(["value", "at"])
      .where("dag_id", "=", q.dagId)
      .where("task_id", "=", q.taskId)
      .where("metric", "=", q.metric)
      .where("at", "<", q.before)
      .orderBy("at", "desc")
      .limit(q.limit)
      .execute();
    return rows.map((r) => ({ value: Number(r.value), at: Number(r.at) }));
  }

  async recordAnomaly(a: Anomaly): Promise<AnomalyRecord | undefined> {
    const row = await this.db
      .insertInto("anomalies")
      .values({
        dag_id: a.dagId,
        task_id: a.taskId,
        run_id: a.runId,
        run_pk: a.runPk,
        map_index: a.mapIndex,
        try_number: a.tryNumber,
        metric: a.metric,
        value: a.value,
        median: a.median,
        mad: a.mad,
        score: a.score,
        points: a.points,
        season: a.season,
        detected_at: a.detectedAt,
      })
      .onConflict((oc) => oc.columns([...KEY]).doNothing())
      .returningAll()
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async listAnomalies(filter: AnomalyFilter): Promise<AnomalyRecord[]> {
    let q = this.db
      .selectFrom("anomalies")
      .selectAll()
      .orderBy("id", "desc")
      .limit(filter.limit ?? 100);
    if (filter.dagId !== undefined) q = q.where("dag_id", "=", filter.dagId);
    if (filter.since !== undefined) q = q.where("detected_at", ">=", filter.since);
    if (filter.beforeId !== undefined) q = q.where("id", "<", filter.beforeId);
    return (await q.execute()).map(toRecord);
  }

  async countAnomaliesByDag(since: EpochMs): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom("anomalies")
      .select(["dag_id", (eb) => eb.fn.countAll<number | string>().as("n")])
      .where("detected_at", ">=", since)
      .groupBy("dag_id")
      .execute();
    return Object.fromEntries(rows.map((r) => [r.dag_id, Number(r.n)]));
  }
}

type Row = { [K in keyof Database["anomalies"]]: K extends "id" ? number : Database["anomalies"][K] };

function toRecord(r: Row): AnomalyRecord {
  return {
    id: Number(r.id),
    dagId: r.dag_id,
    runId: r.run_id,
    runPk: Number(r.run_pk),
    taskId: r.task_id,
    mapIndex: r.map_index,
    tryNumber: r.try_number,
    metric: r.metric,
    value: Number(r.value),
    median: Number(r.median),
    mad: Number(r.mad),
    score: Number(r.score),
    points: r.points,
    season: r.season as Season,
    detectedAt: Number(r.detected_at),
  };
}
