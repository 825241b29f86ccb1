import type { Kysely } from "kysely";
import type { EpochMs } from "../core/model/records.js";
import type { DayOutcomes, TrendsStore } from "../core/ports/trends-store.js";
import { dailyRunOutcomes } from "./queries/daily-run-outcomes.js";
import type { Database } from "./schema/database.js";

/** The Trends tab's aggregate over the store's Kysely handle (`store.trends`; docs/ui.md#trends). */
export class KyselyTrendsStore implements TrendsStore {
  constructor(private readonly db: Kysely<Database>) {}

  dailyRunOutcomes(dagId: string, since: EpochMs, timeZone?: string): Promise<DayOutcomes[]> {
    return dailyRunOutcomes(this.db, dagId, since, timeZone);
  }
}
