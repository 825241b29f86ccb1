import type { Kysely } from "kysely";
import type { Role } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

/** Counts every user holding `role`, disabled ones included. */
export async function countUsersWithRole(db: Kysely<Database>, role: Role): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number | bigint | string>().as("n"))
    .where("role", "=", role)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
