import type { Kysely } from "kysely";
import type { CommandRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toCommandRecord } from "../rows/command-rows.js";

export async function getCommand(db: Kysely<Database>, id: number): Promise<CommandRecord | undefined> {
  const row = await db.selectFrom("commands").selectAll().where("id", "=", id).executeTakeFirst();
  return row === undefined ? undefined : toCommandRecord(row);
}
