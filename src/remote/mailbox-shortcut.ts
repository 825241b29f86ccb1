import type { NewRemoteAttempt, RemoteAttemptRecord } from "../core/model/workers.js";
import type { RemoteSignal } from "../core/ports/remote-signal.js";

/** An outcome handed to a scheduler in memory (its mailbox row already deleted by the API server). */
export type ShortcutEnd = Pick<RemoteAttemptRecord, "attemptId" | "outcome" | "startedAt" | "endedAt" | "pid" | "workerId">;
/** A start handed to a scheduler in memory (its mailbox row is `running`). */
export type ShortcutStart = Pick<RemoteAttemptRecord, "attemptId" | "startedAt" | "pid" | "workerId">;

/** The API server's end (WorkerHub). */
export interface ShortcutHub {
  /**
   * Chooses a connected worker with room for each row it can (`row.workerId` set; the worker's
   * room is held for it) before the rows are written. Rows left without a worker go `queued`.
   */
  assign(rows: NewRemoteAttempt[]): void;
  /**
   * After the write: sends the rows it assigned that were `inserted` to their workers, and gives
   * back the room of the others. `failed`: the write threw (its outcome unknown): rows it may
   * have written assigned are put back to `queued` (requeueRemoteAttempts), so none stays
   * assigned to a worker that never got it.
   */
  written(rows: NewRemoteAttempt[], inserted: ReadonlySet<string>, failed?: boolean): void;
}

/** A scheduler's end (RemoteExecutor), by its scheduler id. */
export interface ShortcutExecutor {
  started(starts: ShortcutStart[]): void;
  finished(ends: ShortcutEnd[]): void;
}

/**
 * Where a scheduler's RemoteExecutor and an API server's WorkerHub that run in one process (a
 * `baton standalone --workers 0`, the bench) meet, to save two of the mailbox's round trips per
 * attempt (docs/workers.md, "One process"): the executor writes a new attempt already `assigned`
 * to a worker the hub chose (no claim), and the hub deletes a finished attempt's row as it
 * records the outcome and hands the outcome to the executor in memory (no take). Everything
 * still goes through the database, fenced as before (a fenced scheduler's insert writes nothing,
 * so nothing is sent; a report is accepted only from the worker the row is assigned to); what
 * is skipped is the second statement and the wake-up between the two ends. Ends in other
 * processes (or with the shortcut turned off) use the mailbox as before; the two ways mix.
 *
 * Both ends find it through the RemoteSignal they share: one per signal object.
 */
export class MailboxShortcut {
  readonly hubs = new Set<ShortcutHub>();
  readonly executors = new Map<string, ShortcutExecutor>();

  /** The scheduler ids whose outcomes a hub of this process hands over itself. */
  localSchedulers(): string[] {
    return [...this.executors.keys()];
  }
}

const bySignal = new WeakMap<RemoteSignal, MailboxShortcut>();

/** The shortcut of the ends that share `signal` (created on first use). */
export function shortcutOf(signal: RemoteSignal): MailboxShortcut {
  let shortcut = bySignal.get(signal);
  if (shortcut === undefined) bySignal.set(signal, (shortcut = new MailboxShortcut()));
  return shortcut;
}
