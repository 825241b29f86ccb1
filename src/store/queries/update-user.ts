import type { Kysely, Updateable } from "kysely";
import type { UserRecord } from "../../core/model/records.js";
import type { Database, UsersTable } from "../schema/database.js";
import { fromBool } from "../rows/json-column.js";

/** Sets the fields present in `patch`; returns false when the user does not exist. */
export async function updateUser(
  db: Kysely<Database>,
  username: string,
  patch: Partial<Pick<UserRecord, "role" | "passwordHash" | "disabled">>,
): Promise<boolean> {
  const set: Updateable<UsersTable> = {};
  if (patch.role !== undefined) set.role = patch.role;
  if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
  if (patch.disabled !== undefined) set.disabled = fromBool(patch.disabled);
  if (Object.keys(set).length === 0) {
    const row = await db.selectFrom("users").select("username").where("username", "=", username).executeTakeFirst();
    return row !== undefined;
  }
  const result = await db.updateTable("users").set(set).where("username", "=", username).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
