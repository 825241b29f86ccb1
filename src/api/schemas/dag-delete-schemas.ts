import { arrayOf, int, obj, str, type JsonSchema } from "./json-schema.js";

/** The answer of DELETE /api/v1/dags/{dagId}. */
export const DagDeletedSchema: JsonSchema = {
  $id: "DagDeleted",
  ...obj({
    dagId: str,
    fileloc: str,
    runs: int,
    taskInstances: int,
    attempts: int,
    versions: int,
    cancelledRuns: { ...arrayOf(str), description: "Runs cancelled first (force=true)." },
    cancelledBackfills: { ...arrayOf(int), description: "Backfills cancelled first (force=true)." },
    note: { ...str, description: "What happens next: while its file defines the DAG, it reappears (with no history) at the next DAG sync." },
  }),
};
