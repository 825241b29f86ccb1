import type { ChangeCause, DomainEvent } from "../core/model/domain-events.js";
import type { AttemptRecord, RunRecord, TaskInstanceRecord } from "../core/model/records.js";
import type { TaskState } from "../core/model/states.js";
import type { BackfillPatch, RunPatch } from "../core/ports/store.js";
import { tiKey, type ActiveRun } from "./active-run.js";
import type { DomainEventBus } from "./domain-event-bus.js";
import type { UnitOfWork } from "./unit-of-work.js";

type RunIds = Pick<RunRecord, "id" | "dagId" | "runId">;

/**
 * The one path for the scheduler's changes to task instances, attempts and runs: each method
 * changes memory (for a run the scheduler holds), records the write in the unit of work and, when
 * the state moved, records the domain event the unit of work publishes after its commit.
 * Nothing else calls `ActiveRun.update` or the unit of work's `taskInstance`/`attempt`/`run`.
 */
export class StateWriter {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly bus: DomainEventBus,
  ) {}

  /**
   * Changes task instance `key` (see {@link tiKey}) of a run held in memory; returns the row.
   * `persist: false` changes memory only (an instance becoming "scheduled" is derived again
   * after a restart, so it is not written); its event is still published. `cause` "user": a
   * manual mark or cancel made the change (its event says so).
   */
  task(run: ActiveRun, key: string, patch: Partial<TaskInstanceRecord>, now: number, persist = true, cause: ChangeCause = null): TaskInstanceRecord {
    const before = run.tis.get(key)?.state ?? "none";
    const ti = run.update(key, patch, now);
    if (persist) this.uow.taskInstance(ti);
    if (before !== ti.state) this.#taskEvent(run.run, ti, before, now, cause);
    return ti;
  }

  /** Adds a new copy of a mapped task to a run held in memory (replacing an old one of the same index). */
  addCopy(run: ActiveRun, copy: TaskInstanceRecord, now: number): void {
    const before = run.tis.get(tiKey(copy.taskId, copy.mapIndex))?.state ?? "none";
    run.addCopy(copy);
    this.uow.taskInstance(copy);
    if (before !== copy.state) this.#taskEvent(run.run, copy, before, now);
  }

  /** Marks the copies of a mapped task removed (it is cleared or expanded again); returns them. */
  dropCopies(run: ActiveRun, taskId: string, now: number): TaskInstanceRecord[] {
    const before = new Map<number, TaskState>();
    for (const c of run.copies.get(taskId) ?? []) if (c) before.set(c.mapIndex, c.state);
    const dropped = run.dropCopies(taskId, now).filter((c) => c !== undefined);
    for (const c of dropped) {
      this.uow.taskInstance(c);
      const was = before.get(c.mapIndex) ?? "none";
      if (was !== c.state) this.#taskEvent(run.run, c, was, now);
    }
    return dropped;
  }

  /** Writes a task instance of a run the scheduler does not hold (a command on a finished run). */
  storedTask(run: RunIds, before: TaskState, ti: TaskInstanceRecord, now: number, cause: ChangeCause = null): void {
    this.uow.taskInstance(ti);
    if (before !== ti.state) this.#taskEvent(run, ti, before, now, cause);
  }

  /**
   * Records an attempt's history row. `before` is the attempt's previous state (null when it is
   * first recorded). In-flight attempts end through `InFlightAttempts.end`, which calls this.
   */
  attempt(run: RunIds, row: AttemptRecord, before: TaskState | null, now: number): void {
    this.uow.attempt(row);
    if (before === row.state || !this.bus.active) return;
    this.uow.domainEvent({
      kind: "attempt_state_changed",
      dagId: run.dagId,
      runId: run.runId,
      runPk: run.id,
      taskId: row.taskId,
      mapIndex: row.mapIndex,
      tryNumber: row.tryNumber,
      before,
      after: row.state,
      at: now,
      error: row.error,
    });
  }

  /**
   * Changes a run (held in memory or not): records the patch; returns the changed record, which
   * the caller keeps (`active.run = writer.run(active.run, …)`).
   */
  run(run: RunRecord, patch: Omit<RunPatch, "id">, now: number, cause: ChangeCause = null): RunRecord {
    this.uow.run({ id: run.id, ...patch });
    const next = { ...run, ...patch };
    if (next.state !== run.state && this.bus.active) {
      this.uow.domainEvent({
        kind: "run_state_changed",
        dagId: run.dagId,
        runId: run.runId,
        runPk: run.id,
        before: run.state,
        after: next.state,
        at: now,
        note: next.note,
        ...(cause === null ? {} : { cause }),
      });
    }
    return next;
  }

  /** A backfill's state (a command cancelled it); backfills have no domain event yet. */
  backfill(patch: BackfillPatch): void {
    this.uow.backfill(patch);
  }

  #taskEvent(run: RunIds, ti: TaskInstanceRecord, before: TaskState, now: number, cause: ChangeCause = null): void {
    if (!this.bus.active) return;
    const event: DomainEvent = {
      kind: "task_instance_state_changed",
      dagId: run.dagId,
      runId: run.runId,
      runPk: run.id,
      taskId: ti.taskId,
      mapIndex: ti.mapIndex,
      tryNumber: ti.tryNumber,
      before,
      after: ti.state,
      at: now,
      error: ti.error,
      ...(cause === null ? {} : { cause }),
    };
    this.uow.domainEvent(event);
  }
}
