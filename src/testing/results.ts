import { readFileSync } from "node:fs";
import { InvalidInputError } from "../core/errors.js";
import type { DeadlineMissed } from "../core/model/domain-events.js";
import type { AttemptRecord, RunRecord, TaskInstanceRecord } from "../core/model/records.js";
import type { RunState, TaskState } from "../core/model/states.js";

/** One try of a task (a sensor's pokes of one try are one attempt). Times are epoch ms of virtual time. */
export interface AttemptResult {
  tryNumber: number;
  state: TaskState;
  startedAt: number | null;
  endedAt: number | null;
  error: string | null;
  /** What the try logged: `ctx.log` lines and its stdout/stderr. */
  log: string;
}

/** A task instance as the test sees it (at the end of the run, or at the last step of a stepwise test). */
export interface TaskResult<T = unknown> {
  taskId: string;
  /** -1, or the index of this copy of a mapped task. */
  mapIndex: number;
  state: TaskState;
  /** Tries started so far (a retry is a second try). */
  tries: number;
  maxTries: number;
  /**
   * The return value (after the JSON round trip every task value makes). A mapped task's value is
   * the list of its successful copies' values. Undefined before success or when it returned nothing.
   */
  value: T | undefined;
  /** The last try's error, or why it was skipped. */
  error: string | null;
  startedAt: number | null;
  endedAt: number | null;
  /** When an up_for_retry task tries again, or an up_for_reschedule sensor pokes again. */
  nextTryAt: number | null;
  /** A branch's chosen downstream task ids (null for other tasks). */
  followed: string[] | null;
  attempts: AttemptResult[];
  /** The logs of every try, in order. */
  logs: string;
  /** The copies of a mapped task, by map index (empty for other tasks). */
  copies: TaskResult<T>[];
}

/** One DAG run as the test sees it. */
export interface RunResult {
  runId: string;
  runType: RunRecord["runType"];
  state: RunState;
  /** Why the run ended the way it did when it isn't its tasks (timeout, deadlock…), else null. */
  note: string | null;
  logicalDate: number | null;
  startedAt: number | null;
  endedAt: number | null;
  conf: Record<string, unknown>;
  /** Deadlines (docs/deadlines.md) this run missed, in the order they were detected. */
  missedDeadlines: DeadlineMissed[];
  /** The task (or with `mapIndex`, one copy of a mapped task); throws naming the known ids when unknown. */
  task<T = unknown>(taskId: string, mapIndex?: number): TaskResult<T>;
  /** Every task (copies inside their task). */
  tasks(): TaskResult[];
  /** `{ taskId: state }` for every task, handy for `toEqual`. */
  states(): Record<string, TaskState>;
}

export interface RunData {
  run: RunRecord;
  tis: TaskInstanceRecord[];
  attempts: AttemptRecord[];
  missed: DeadlineMissed[];
}

/** Builds the result objects from what the store holds; `open` reads a (possibly sealed) output. */
export function runResult(data: RunData, taskOrder: readonly string[], open: (ti: TaskInstanceRecord) => string | null): RunResult {
  const { run } = data;
  const readLog = (path: string | null) => {
    if (path === null) return "";
    try {
      return readFileSync(path, "utf8");
    } catch {
      return "";
    }
  };
  const attemptsOf = (ti: TaskInstanceRecord) =>
    data.attempts
      .filter((a) => a.taskId === ti.taskId && a.mapIndex === ti.mapIndex)
      .sort((a, b) => a.tryNumber - b.tryNumber)
      .map((a): AttemptResult => {
        let log: string | undefined;
        return {
          tryNumber: a.tryNumber,
          state: a.state,
          startedAt: a.startedAt,
          endedAt: a.endedAt,
          error: a.error,
          // Read when first asked for (and by dispose, before the files go).
          get log() {
            return (log ??= readLog(a.logPath));
          },
        };
      });
  const view = (ti: TaskInstanceRecord, copies: TaskResult[]): TaskResult => {
    const attempts = attemptsOf(ti);
    const text = open(ti);
    let value: unknown;
    let decoded = false;
    return {
      taskId: ti.taskId,
      mapIndex: ti.mapIndex,
      state: ti.state,
      tries: ti.tryNumber,
      maxTries: ti.maxTries,
      get value() {
        if (!decoded) value = text === null ? undefined : JSON.parse(text);
        decoded = true;
        return value;
      },
      error: ti.error,
      startedAt: ti.startedAt,
      endedAt: ti.endedAt,
      nextTryAt: ti.nextRetryAt,
      followed: ti.followed,
      attempts,
      get logs() {
        return attempts.map((a) => a.log).join("");
      },
      copies,
    };
  };
  const order = new Map(taskOrder.map((t, i) => [t, i]));
  const tasks = data.tis
    .filter((t) => t.mapIndex < 0)
    .sort((a, b) => (order.get(a.taskId) ?? 0) - (order.get(b.taskId) ?? 0))
    .map((t) =>
      view(
        t,
        data.tis
          .filter((c) => c.taskId === t.taskId && c.mapIndex >= 0 && c.state !== "removed")
          .sort((a, b) => a.mapIndex - b.mapIndex)
          .map((c) => view(c, [])),
      ),
    );
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  return {
    runId: run.runId,
    runType: run.runType,
    state: run.state,
    note: run.note,
    logicalDate: run.logicalDate,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    conf: run.conf,
    missedDeadlines: data.missed.filter((m) => m.runPk === run.id),
    task<T>(taskId: string, mapIndex?: number): TaskResult<T> {
      const t = byId.get(taskId);
      if (t === undefined) {
        throw new InvalidInputError(
          `run ${run.runId} of DAG "${run.dagId}" has no task "${taskId}"; its tasks are: ${[...byId.keys()].map((k) => `"${k}"`).join(", ")}`,
        );
      }
      if (mapIndex === undefined || mapIndex < 0) return t as TaskResult<T>;
      const copy = t.copies.find((c) => c.mapIndex === mapIndex);
      if (copy === undefined) {
        throw new InvalidInputError(
          `task "${taskId}" has no copy ${mapIndex}; it has ${t.copies.length === 0 ? "none (not mapped, or not expanded yet)" : `copies 0…${t.copies.length - 1}`}`,
        );
      }
      return copy as TaskResult<T>;
    },
    tasks: () => tasks,
    states: () => Object.fromEntries(tasks.map((t) => [t.taskId, t.state])),
  };
}
