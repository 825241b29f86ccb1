import { BatonError } from "../errors.js";

/**
 * Where large return values live (docs/storage.md#large-return-values): a folder or a bucket
 * prefix (BATON_VALUE_STORE). A task instance whose stored value is over BATON_VALUE_STORE_THRESHOLD
 * keeps only a reference ({@link OFFLOADED_PREFIX} + {@link ValueRef}) in the database; the
 * scheduler writes the object before the commit that holds the reference, and every reader
 * (downstream inputs, the API, `tasks test --from-run`) follows it. The object holds exactly the
 * text the column would have held: JSON, or a sealed (encrypted) value for a `sensitive` task.
 *
 * Keys are relative to the store's base URL ({@link valueKey}); a run's objects share the
 * prefix {@link runValuePrefix}, which retention deletes with the run.
 */
export interface ValueStore {
  /** The base URL, for messages (`file:///…/values/`, `s3://bucket/prefix/`). */
  readonly url: string;
  /** Writes (or replaces) the object at `key`; resolves with its reference. */
  write(key: string, text: string): Promise<ValueRef>;
  /**
   * The object's text. Rejects with {@link MissingValueError} (naming the object's URL) when it
   * is missing, cannot be read, or is not the one `ref` names (its SHA-256 differs).
   */
  read(ref: ValueRef): Promise<string>;
  /** Deletes the object; a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every object below `prefix`; resolves with how many. */
  deletePrefix(prefix: string): Promise<number>;
  close(): Promise<void>;
}

/** What the database keeps of an offloaded value. */
export interface ValueRef {
  /** The object's key below the value store's base URL. */
  key: string;
  /** UTF-8 bytes of the stored text. */
  bytes: number;
  /** Hex SHA-256 of the stored text: a replaced or altered object is detected on read. */
  sha256: string;
}

/** Starts every offloaded output: like `sealed:`, never valid JSON. */
export const OFFLOADED_PREFIX = "offloaded:";

/** True when a stored output is a reference to an object in the value store. */
export function isOffloadedOutput(output: string | null | undefined): output is string {
  return typeof output === "string" && output.startsWith(OFFLOADED_PREFIX);
}

export function formatValueRef(ref: ValueRef): string {
  return OFFLOADED_PREFIX + JSON.stringify({ key: ref.key, bytes: ref.bytes, sha256: ref.sha256 });
}

/** The reference in an offloaded output; throws when the text is not one. */
export function parseValueRef(output: string): ValueRef {
  if (!isOffloadedOutput(output)) throw new Error("not an offloaded output");
  const ref = JSON.parse(output.slice(OFFLOADED_PREFIX.length)) as Partial<ValueRef>;
  if (typeof ref.key !== "string" || typeof ref.bytes !== "number" || typeof ref.sha256 !== "string") {
    throw new Error(`malformed value reference ${output.slice(0, 200)}`);
  }
  return { key: ref.key, bytes: ref.bytes, sha256: ref.sha256 };
}

/** One path segment from an id: URI-encoded, so `/`, `..` and `:` cannot form other paths. */
function segment(name: string, id: string): string {
  return `${name}=${encodeURIComponent(id)}`;
}

/** `dag_id=<d>/`: every value of one DAG (deleted with it: `baton dags delete`). */
export function dagValuePrefix(dagId: string): string {
  return `${segment("dag_id", dagId)}/`;
}

/** `dag_id=<d>/run_id=<r>/`: every value of one run (deleted with it). */
export function runValuePrefix(dagId: string, runId: string): string {
  return `${segment("dag_id", dagId)}/${segment("run_id", runId)}/`;
}

/**
 * `dag_id=<d>/run_id=<r>/task_id=<t>/value.json` (a copy of a mapped task: `…/map_index=<i>/value.json`).
 * One object per task instance: a re-run (after a clear) replaces it.
 */
export function valueKey(dagId: string, runId: string, taskId: string, mapIndex: number): string {
  const copy = mapIndex >= 0 ? `${segment("map_index", String(mapIndex))}/` : "";
  return `${runValuePrefix(dagId, runId)}${segment("task_id", taskId)}/${copy}value.json`;
}

/**
 * An offloaded value could not be read back: the object is missing, unreadable, or not the one
 * the reference names (its SHA-256 differs). The message names the object's URL.
 */
export class MissingValueError extends BatonError {}

/** Where `ref` lives, for messages. */
export function valueUrl(store: Pick<ValueStore, "url"> | null, ref: ValueRef): string {
  return store === null ? ref.key : store.url.replace(/\/?$/, "/") + ref.key;
}
