import type { Clock } from "../../core/ports/clock.js";
import type { Logger } from "../../core/ports/logger.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";
import type { FinishedReport, WorkerMessage } from "../protocol.js";
import type { AttemptLogs } from "./attempt-logs.js";
import { ReportBatcher } from "./report-batcher.js";
import type { WorkerConnection } from "./worker-connection.js";

export const NOT_YOURS = "not this worker's any more";

export interface HubReportsDeps {
  store: Pick<WorkerStore, "markRemoteStarted" | "finishRemoteAttempts">;
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
}

/**
 * The workers' `started` and `finished` reports: written in batches (ReportBatcher), then
 * answered with one `ack` (recorded) and one `drop` (refused: not that worker's any more) per
 * worker and one signal per owning scheduler. Outcomes' errors are masked first.
 */
export class HubReports {
  readonly #batcher: ReportBatcher;
  readonly #acks = new Map<WorkerConnection, string[]>();
  readonly #drops = new Map<WorkerConnection, string[]>();
  readonly #owners = new Set<string>();

  constructor(private readonly deps: HubReportsDeps) {
    this.#batcher = new ReportBatcher(deps.store, deps.clock, {
      afterBatch: () => this.#answer(),
      failed: (err) => deps.logger.warn({ err }, "workers' reports could not be recorded; trying again"),
    }, deps.startedDelayMs ?? 0);
  }

  started(conn: WorkerConnection, m: Extract<WorkerMessage, { t: "started" }>): void {
    const held = conn.held.get(m.id);
    if (held !== undefined) held.reported = true;
    const recorded = new Promise<void>((resolve) => {
      this.#batcher.started({ attemptId: m.id, workerId: conn.workerId, startedAt: m.at, pid: m.pid }, (accepted) => {
        if (accepted && held !== undefined) {
          held.started = true;
          this.#owners.add(held.record.schedulerId);
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
      if (accepted) {
        push(this.#acks, conn, report.id);
        if (held !== undefined) this.#owners.add(held.record.schedulerId);
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
    for (const [conn, ids] of this.#acks) conn.send({ t: "ack", ids });
    for (const [conn, ids] of this.#drops) conn.send({ t: "drop", ids, reason: NOT_YOURS });
    for (const schedulerId of this.#owners) this.deps.notifyOwner(schedulerId);
    const freed = this.#acks.size > 0 || this.#drops.size > 0;
    this.#acks.clear();
    this.#drops.clear();
    this.#owners.clear();
    if (freed) this.deps.freed();
  }
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
