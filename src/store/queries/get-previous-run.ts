import type { Kysely } from "kysely";
import type { EpochMs, RunRecord } from "../../core/model/records.js";
import type { PreviousRunFilter } from "../../core/ports/store.js";
import type { Database } from "../schema/database.js";
import { toRunRecord } from "../rows/run-rows.js";

/** The run with the latest logical date strictly before `logicalDate` (ties: highest id), of the filter's types and state. */
export async function getPreviousRun(
  db: Kysely<Database>,
  dagId: string,
  logicalDate: EpochMs,
  filter: PreviousRunFilter = {},
): Promise<RunRecord | undefined> {
  const { runTypes, state } = filter;
  if (runTypes?.length === 0) return undefined;
  let query = db.selectFrom("dag_runs").selectAll().where("dag_id", "=", dagId).where("logical_date", "<", logicalDate);
  if (runTypes !== undefined) query = query.where("run_type", "in", runTypes);
  if (state !== undefined) query = query.where("state", "=", state);
  const row = await query.orderBy("logical_date", "desc").orderBy("id", "desc").limit(1).executeTakeFirst();
  return row && toRunRecord(row);
}
