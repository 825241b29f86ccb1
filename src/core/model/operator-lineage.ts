/**
 * What a built-in operator says it reads and writes, recorded in its task's spec when the DAG
 * loads (before any template is rendered). Lineage (OpenLineage events, the lineage graph) reads
 * it; nothing in scheduling does. Strings may be templates (`{{ ds }}`); `conn` is a connection
 * id or URI, resolved only by whoever emits lineage.
 */
export interface OperatorLineage {
  /** The operator's name: "sqlQuery", "copyObjects", "publish"… */
  operator: string;
  /** What the operator reads. */
  inputs: LineageTarget[];
  /** What the operator writes. */
  outputs: LineageTarget[];
  /** SQL operators: the statements run, in order, and the connection they run on. */
  sql?: { conn: string; statements: string[] };
}

/** One thing an operator touches. */
export type LineageTarget =
  /** An object or prefix: s3://bucket/key, az://container/blob, gs://bucket/key, file:///path. */
  | { kind: "object"; url: string; conn?: string }
  /** A broker destination (topic, subject, queue, stream key) on the connection's broker. */
  | { kind: "topic"; conn: string; name: string };
