import type { Clock } from "../../core/ports/clock.js";
import type { Logger } from "../../core/ports/logger.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";
import type { MailboxShortcut, ShortcutEnd, ShortcutStart } from "../mailbox-shortcut.js";
import type { FinishedReport, WorkerMessage } from "../protocol.js";
import type { AttemptLogs } from "./attempt-logs.js";
import { ReportBatcher } from "./report-batcher.js";
import type { WorkerConnection } from "./worker-connection.js";

export const NOT_YOURS = "not this worker's any more";

export interface HubReportsDeps {
  store: Pick<WorkerStore, "markRemoteStarted" | "finishRemoteAttempts" | "finishAndTakeRemoteAttempts">;
  clock: Clock;
  logger: Logger;
  logs: AttemptLogs;
  /** Tells the scheduler that owns the attempt (orphans, "", have none). */
  notifyOwner(schedulerId: string): void;
  /** The attempt is not held by this worker any more. */
  forget(conn: WorkerConnection, attemptId: string): void;
  /** Results or refusals freed room on workers: claim again. */
  freed(): void;
  /** How long a `started` waits to be written with its `finished` (ReportBatcher). Default 0. */
  startedDelayMs?: number;
  /** Schedulers of this process: their outcomes are taken and handed over here, their starts too (MailboxShortcut). */
  shortcut?: MailboxShortcut | null;
}

/**
 * The workers' `started` and `finished` reports: written in batches (ReportBatcher), then
 * answered with one `ack` (recorded) and one `drop` (refused: not that worker's any more) per
 * worker and one signal per owning scheduler. Outcomes' errors are masked first. The outcomes
 * and starts of schedulers in this process (`shortcut`) are handed to them directly instead:
 * their rows are deleted as the outcomes are recorded (finishAndTakeRemoteAttempts), and no
 * signal or take follows.
 */
export class HubReports {
  readonly #batcher: ReportBatcher;
  readonly #acks = new Map<WorkerConnection, string[]>();
  readonly #drops = new Map<WorkerConnection, string[]>();
  readonly #owners = new Set<string>();
  /** Outcomes taken for schedulers of this process in the batch being written, by attempt id. */
  readonly #taken = new Map<string, ShortcutEnd & { schedulerId: string }>();
  /** Starts and outcomes to hand to schedulers of this process after the batch, by scheduler id. */
  readonly #handStarts = new Map<string, ShortcutStart[]>();
  readonly #handEnds = new Map<string, ShortcutEnd[]>();

  constructor(private readonly deps: HubReportsDeps) {
    const { store, shortcut } = deps;
    const batchStore: Pick<WorkerStore, "markRemoteStarted" | "finishRemoteAttempts"> = {
      markRemoteStarted: (items) => store.markRemoteStarted(items),
      finishRemoteAttempts: async (items) => {
        const local = shortcut?.localSchedulers() ?? [];
        if (local.length === 0) return store.finishRemoteAttempts(items);
        const { accepted, taken } = await store.finishAndTakeRemoteAttempts(items, local);
        for (const t of taken) this.#taken.set(t.attemptId, t);
        return accepted;
      },
    };
    this.#batcher = new ReportBatcher(
      batchStore,
      deps.clock,
      {
        afterBatch: () => this.#answer(),
        failed: (err) => deps.logger.warn({ err }, "workers' reports could not be recorded; trying again"),
      },
      deps.startedDelayMs ?? 0,
    );
  }

  started(conn: WorkerConnection, m: Extract<WorkerMessage, { t: "started" }>): void {
    const held = conn.held.get(m.id);
    if (held !== undefined) held.reported = true;
    const recorded = new Promise<void>((resolve) => {
      this.#batcher.started({ attemptId: m.id, workerId: conn.workerId, startedAt: m.at, pid: m.pid }, (accepted) => {
        if (accepted && held !== undefined) {
          held.started = true;
          if (this.deps.shortcut?.executors.has(held.record.schedulerId))
            push(this.#handStarts, held.record.schedulerId, { attemptId: m.id, startedAt: m.at, pid: m.pid, workerId: conn.workerId });
          else this.#owners.add(held.record.schedulerId);
        } else if (!accepted) {
          this.deps.forget(conn, m.id);
          push(this.#drops, conn, m.id);
        }
        resolve();
      });
    });
    if (held !== undefined) held.starting = recorded;
  }

  /** `then`: called once recorded (a hello waits for what was finished while disconnected). */
  finished(conn: WorkerConnection, report: FinishedReport, then?: () => void): void {
    const held = conn.held.get(report.id);
    const outcome = this.deps.logs.maskOutcome(report.id, report.outcome);
    const end = { attemptId: report.id, workerId: conn.workerId, outcome, startedAt: report.startedAt, endedAt: report.endedAt, pid: report.pid };
    this.#batcher.finished(end, (accepted) => {
      this.deps.forget(conn, report.id);
      const taken = this.#taken.get(report.id);
      this.#taken.delete(report.id);
      if (accepted) {
        push(this.#acks, conn, report.id);
        if (taken !== undefined) push(this.#handEnds, taken.schedulerId, taken);
        else if (held !== undefined) this.#owners.add(held.record.schedulerId);
      } else {
        push(this.#drops, conn, report.id);
      }
      then?.();
    });
  }

  /** Writes the starts still waiting out their delay now (a running attempt asks for a secret). */
  hurry(): void {
    this.#batcher.hurry();
  }

  close(): void {
    this.#batcher.close();
  }

  #answer(): void {
    for (const [conn, ids] of this.#acks) conn.ack(ids);
    for (const [conn, ids] of this.#drops) conn.send({ t: "drop", ids, reason: NOT_YOURS });
    for (const schedulerId of this.#owners) this.deps.notifyOwner(schedulerId);
    const freed = this.#acks.size > 0 || this.#drops.size > 0;
    this.#acks.clear();
    this.#drops.clear();
    this.#owners.clear();
    this.#handOver();
    if (freed) this.deps.freed();
  }

  /** Hands the starts and outcomes gathered for schedulers of this process to them (one that went away meanwhile: signalled, it takes from the mailbox what is left there). */
  #handOver(): void {
    const executors = this.deps.shortcut?.executors;
    for (const [schedulerId, starts] of this.#handStarts) {
      const end = executors?.get(schedulerId);
      if (end === undefined) this.deps.notifyOwner(schedulerId);
      else callSafely(this.deps.logger, () => end.started(starts));
    }
    for (const [schedulerId, ends] of this.#handEnds) {
      const end = executors?.get(schedulerId);
      if (end === undefined)
        this.deps.logger.warn(
          { schedulerId, attempts: ends.map((e) => e.attemptId) },
          "outcomes taken for a scheduler of this process that stopped meanwhile; its successor's recovery decides these attempts",
        );
      else callSafely(this.deps.logger, () => end.finished(ends));
    }
    this.#handStarts.clear();
    this.#handEnds.clear();
    this.#taken.clear();
  }
}

function callSafely(logger: Logger, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    logger.error({ err }, "a scheduler of this process failed to take remote outcomes");
  }
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
