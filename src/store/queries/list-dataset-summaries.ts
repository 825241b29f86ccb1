import type { Kysely } from "kysely";
import type { DatasetSummary } from "../../core/ports/dataset-store.js";
import { compareText } from "../key-order.js";
import { toDatasetEventRecord } from "../rows/dataset-event-rows.js";
import type { Database } from "../schema/database.js";

/** Per URI with events (all, or those of `uris`): the count and the newest event; by URI. */
export async function listDatasetSummaries(db: Kysely<Database>, uris?: string[]): Promise<DatasetSummary[]> {
  if (uris?.length === 0) return [];
  let q = db
    .selectFrom("dataset_events")
    .select((eb) => ["uri", eb.fn.countAll().as("event_count"), eb.fn.max("id").as("last_id")])
    .groupBy("uri");
  if (uris !== undefined) q = q.where("uri", "in", uris);
  const groups = await q.execute();
  if (groups.length === 0) return [];
  const lastIds = groups.map((g) => Number(g.last_id));
  const events = await db.selectFrom("dataset_events").selectAll().where("id", "in", lastIds).execute();
  const byUri = new Map(events.map((row) => [row.uri, toDatasetEventRecord(row)]));
  const out: DatasetSummary[] = [];
  for (const g of groups) {
    const lastEvent = byUri.get(g.uri);
    if (lastEvent) out.push({ uri: g.uri, eventCount: Number(g.event_count), lastEvent });
  }
  return out.sort((a, b) => compareText(a.uri, b.uri));
}
