import type { AttemptRecord } from "../core/model/records.js";
import type { TaskState } from "../core/model/states.js";
import type { ActiveRun } from "./active-run.js";
import type { Claim, Dispatcher } from "./dispatcher.js";
import type { StateWriter } from "./state-writer.js";

/** An attempt handed to the executor and not yet ended: it holds a dispatcher slot. */
export interface InFlight extends Claim {
  runPk: number;
  taskId: string;
  mapIndex: number;
  /** The task instance's key in its run ({@link tiKey}). */
  key: string;
  tryNumber: number;
  logPath: string;
  /** "queued" until the executor reports the attempt started. */
  state: "queued" | "running";
  startedAt: number | null;
  /** The remote worker running it, once started there (docs/workers.md). */
  worker?: string | null;
}

/** How an attempt ended, for its history row. */
export interface AttemptEnd {
  state: TaskState;
  /** When it started (defaults to when the executor said it did). */
  startedAt?: number | null;
  endedAt: number;
  error: string | null;
  pid: number | null;
  /** The remote worker that ran it; absent or null for the local pool. */
  worker?: string | null;
}

/**
 * The attempts in flight, by attempt id. An attempt enters with its dispatcher slot taken
 * ({@link add}) and leaves through {@link end} alone, however it ends (finished, stopped by a
 * clear or mark, its run cancelled, marked or timed out): the slot is freed, the attempt
 * forgotten and its final row recorded, so none of the three can be forgotten.
 */
export class InFlightAttempts {
  readonly #byId = new Map<string, InFlight>();

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly writer: StateWriter,
  ) {}

  /** How many attempts are in flight. */
  get size(): number {
    return this.#byId.size;
  }

  get(attemptId: string): InFlight | undefined {
    return this.#byId.get(attemptId);
  }

  /** Every attempt in flight with its id (for sweeps; ending one while iterating is safe). */
  entries(): IterableIterator<[string, InFlight]> {
    return this.#byId.entries();
  }

  /** A dispatched attempt: takes its slot. */
  add(attemptId: string, f: InFlight): void {
    this.#byId.set(attemptId, f);
    this.dispatcher.acquire(f);
  }

  /** The executor started the attempt: its task instance and its attempt row are running. */
  started(run: ActiveRun, attemptId: string, at: number, pid: number | null, worker: string | null = null): void {
    const f = this.#byId.get(attemptId);
    if (!f) return;
    f.state = "running";
    f.startedAt = at;
    f.worker = worker;
    this.writer.task(run, f.key, { state: "running", startedAt: at }, at);
    this.writer.attempt(run.run, this.#row(f, "running", at, null, null, pid, worker), null, at);
  }

  /** The attempts in flight of a run: all of them, or those of some task ids. */
  ofRun(runPk: number, taskIds: ReadonlySet<string> | null): string[] {
    const out: string[] = [];
    for (const [id, f] of this.#byId) if (f.runPk === runPk && (!taskIds || taskIds.has(f.taskId))) out.push(id);
    return out;
  }

  /**
   * Ends an attempt: forgets it, frees its slot and, when its run is still held (`run`), records
   * its final row. Returns what was in flight, or undefined when it had already ended.
   */
  end(attemptId: string, run: ActiveRun | undefined, how: AttemptEnd, now: number): InFlight | undefined {
    const f = this.#byId.get(attemptId);
    if (!f) return undefined;
    this.#byId.delete(attemptId);
    this.dispatcher.release(f);
    if (run)
      this.writer.attempt(
        run.run,
        this.#row(f, how.state, how.startedAt === undefined ? f.startedAt : how.startedAt, how.endedAt, how.error, how.pid, how.worker ?? f.worker ?? null),
        f.state,
        now,
      );
    return f;
  }

  #row(
    f: InFlight,
    state: TaskState,
    startedAt: number | null,
    endedAt: number | null,
    error: string | null,
    pid: number | null,
    worker: string | null,
  ): AttemptRecord {
    return {
      runPk: f.runPk,
      taskId: f.taskId,
      mapIndex: f.mapIndex,
      tryNumber: f.tryNumber,
      state,
      startedAt,
      endedAt,
      error,
      logPath: f.logPath,
      pid,
      worker,
    };
  }
}
