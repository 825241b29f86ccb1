import type { Kysely } from "kysely";
import type { MissedDeadline, MissedDeadlineRecord } from "../core/model/deadlines.js";
import type { DeadlineStore, MissedDeadlineFilter } from "../core/ports/deadline-store.js";
import type { DialectFeatures } from "./dialect-features.js";
import { listMissedDeadlines } from "./queries/list-missed-deadlines.js";
import { recordMissedDeadline } from "./queries/record-missed-deadline.js";
import type { Database } from "./schema/database.js";

/** Missed deadlines over the store's Kysely handle (`store.deadlines`; docs/deadlines.md). */
export class KyselyDeadlineStore implements DeadlineStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly features: DialectFeatures,
  ) {}

  recordMissedDeadline(miss: MissedDeadline): Promise<MissedDeadlineRecord | undefined> {
    return recordMissedDeadline(this.db, miss);
  }

  listMissedDeadlines(filter: MissedDeadlineFilter): Promise<MissedDeadlineRecord[]> {
    return listMissedDeadlines(this.db, this.features.maxParameters, filter);
  }
}
