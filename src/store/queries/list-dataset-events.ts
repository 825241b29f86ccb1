import type { Kysely } from "kysely";
import { InvalidInputError } from "../../core/errors.js";
import type { DatasetEventRecord } from "../../core/model/records.js";
import type { DatasetEventFilter } from "../../core/ports/dataset-store.js";
import { toDatasetEventRecord } from "../rows/dataset-event-rows.js";
import type { Database } from "../schema/database.js";

/** Dataset events matching the filter, newest (highest id) first. */
export async function listDatasetEvents(db: Kysely<Database>, filter: DatasetEventFilter): Promise<DatasetEventRecord[]> {
  const limit = filter.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new InvalidInputError(`listDatasetEvents: limit must be a whole number ≥ 0, got ${limit}`);
  }
  if (filter.uris?.length === 0) return [];
  let q = db.selectFrom("dataset_events").selectAll();
  if (filter.uris !== undefined) q = q.where("uri", "in", filter.uris);
  if (filter.afterId !== undefined) q = q.where("id", ">", filter.afterId);
  if (filter.beforeId !== undefined) q = q.where("id", "<", filter.beforeId);
  const rows = await q.orderBy("id", "desc").limit(limit).execute();
  return rows.map(toDatasetEventRecord);
}
