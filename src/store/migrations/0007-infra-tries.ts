import type { Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";

/**
 * Tries the machine failed, not the task (docs/retries.md): try numbers only increase, and
 * `infra_tries` of them are not counted against `max_tries`. Existing rows start at 0.
 */
export function infraTriesMigration(_features: DialectFeatures): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable("task_instances")
        .addColumn("infra_tries", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("task_instances").dropColumn("infra_tries").execute();
    },
  };
}
