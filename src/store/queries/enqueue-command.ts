import type { Kysely } from "kysely";
import type { CommandKind, CommandPayloads, CommandRecord, EpochMs } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toCommandRecord } from "../rows/command-rows.js";

/** Appends a pending command; its id (assigned here, increasing) is its place in the queue. */
export async function enqueueCommand<K extends CommandKind>(
  db: Kysely<Database>,
  kind: K,
  payload: CommandPayloads[K],
  requestedBy: string | null,
  at: EpochMs,
): Promise<CommandRecord<K>> {
  const row = await db
    .insertInto("commands")
    .values({ kind, payload: JSON.stringify(payload), requested_by: requestedBy, created_at: at, applied_at: null, result: null })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toCommandRecord(row) as CommandRecord<K>;
}
