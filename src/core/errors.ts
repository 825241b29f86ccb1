/**
 * One error hierarchy. Messages name the file, line, key or id at fault and, where there is a
 * closed set, the valid options. The API and CLI map classes to status/exit codes in one place.
 */
export class BatonError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input from a user: unknown id, invalid argument, conf failing the params schema. → 4xx / exit 2 */
export class InvalidInputError extends BatonError {}

/** The request conflicts with the current state (a run id taken, a run already ended). → 409 / exit 2 */
export class ConflictError extends BatonError {}

/** Something asked for by id does not exist. → 404 / exit 2 */
export class NotFoundError extends BatonError {}

/**
 * The database could not be used for longer than the store waits (another process held its lock).
 * Nothing of the failed statement was applied; the caller may try again later. → 503 / exit 1
 */
export class StoreUnavailableError extends BatonError {}

/**
 * A scheduler's lease was fenced (another scheduler adopted its work, docs/adr/0007): the write
 * was refused and nothing of it was applied. Fatal for that scheduler: it must stop at once.
 */
export class FencedError extends BatonError {}

/** A DAG file defines something invalid (cycle, duplicate id, unknown reference, bad schedule). */
export class DagDefinitionError extends BatonError {
  /** The message without the `file:line: ` prefix, for records that carry the location apart. */
  readonly reason: string;
  constructor(
    message: string,
    readonly file: string | null = null,
    readonly line: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(file ? `${file}${line ? `:${line}` : ""}: ${message}` : message, options);
    this.reason = message;
  }
}

const SKIP = Symbol.for("baton.skip-task");
const FAIL = Symbol.for("baton.fail-task");

/** Thrown by a task to end its attempt as skipped; downstream follows its trigger rules. */
export class SkipTask extends BatonError {
  readonly [SKIP] = true;
  static is(e: unknown): e is SkipTask {
    return typeof e === "object" && e !== null && SKIP in e;
  }
}

/** Thrown by a task to fail at once, without using its remaining retries. */
export class FailTask extends BatonError {
  readonly [FAIL] = true;
  static is(e: unknown): e is FailTask {
    return typeof e === "object" && e !== null && FAIL in e;
  }
}

/** Turns anything thrown into an Error, keeping the original as cause. */
export function toError(e: unknown): Error {
  if (e instanceof Error) return e;
  return new Error(typeof e === "string" ? e : JSON.stringify(e), { cause: e });
}
