import { createHash } from "node:crypto";

/** Baton's UUIDv5 namespace for lineage run ids (a fixed random UUID). */
const NAMESPACE = Buffer.from("8f1d5e2a6c4b4b7e9a3f0d2c1b5e7a90", "hex");

/**
 * A name-based UUID (RFC 9562 version 5: SHA-1 of a namespace and the name): the same name always
 * gives the same id, so a restarted scheduler re-sends an attempt's events under the same run id.
 */
export function uuidV5(name: string): string {
  const hash = createHash("sha1").update(NAMESPACE).update(name, "utf8").digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The lineage run id of a DAG run. */
export function dagRunLineageId(dagId: string, runId: string): string {
  return uuidV5(JSON.stringify(["dag_run", dagId, runId]));
}

/** The lineage run id of one attempt (try) of a task instance; a copy of a mapped task has its own. */
export function attemptLineageId(dagId: string, runId: string, taskId: string, mapIndex: number, tryNumber: number): string {
  return uuidV5(JSON.stringify(["attempt", dagId, runId, taskId, mapIndex, tryNumber]));
}
