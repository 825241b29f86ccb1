import { LRUCache } from "lru-cache";
import type { DeadlineMissed, DomainEvent } from "../../core/model/domain-events.js";
import { describeDeadline, describeExpectedDuration, runDeadlineDueAt, type MissedDeadline } from "../../core/model/deadlines.js";
import type { DagSpec } from "../../core/model/dag-spec.js";
import type { RunRecord } from "../../core/model/records.js";
import type { Clock } from "../../core/ports/clock.js";
import type { DeadlineStore } from "../../core/ports/deadline-store.js";
import type { Logger } from "../../core/ports/logger.js";
import type { Store } from "../../core/ports/store.js";
import { DueHeap } from "./due-heap.js";

/** What one DAG version asks to watch; null when it declares no deadline and no expected duration. */
type Watchable = { spec: DagSpec; expected: Map<string, number> } | null;

/** One deadline being watched: a run's (taskId null) or an attempt's. */
interface Watch {
  key: string;
  dueAt: number;
  dagId: string;
  runId: string;
  runPk: number;
  taskId: string | null;
  mapIndex: number;
  tryNumber: number;
  deadlineIndex: number;
  description: string;
}

export interface DeadlineWatcherDeps {
  store: Pick<Store, "listRuns" | "getRunById" | "getDagVersion" | "listTaskInstancesInStates" | "listAttempts">;
  deadlines: DeadlineStore;
  clock: Clock;
  logger: Logger;
  /** Announces a miss this watcher recorded (the scheduler's domain event bus). */
  publish: (event: DeadlineMissed) => void;
  /** How often runs created since the last look are read (queued runs have no event of their own). Default 15,000 ms. */
  scanMs?: number;
}

/** Node's timers take at most ~24.8 days; a later due time is reached in steps. */
const MAX_TIMER_MS = 86_400_000;
const PAGE = 500;

/**
 * Detects missed deadlines (docs/deadlines.md) beside the scheduler, never on its hot path: a
 * min-heap of due times of the unfinished runs of DAGs that declare a `deadline` and of running
 * attempts of tasks with an `expectedDuration`, and ONE clock timer at the earliest. Fed by the
 * domain events (O(1) each: queued, then handled asynchronously), by a scan of runs created since
 * the last one, and at start by every unfinished run and running attempt in the store (so a
 * restart recomputes). At a due time it reads the run (or attempt) from the store: still not
 * finished, or finished after the due time, is a miss. The miss is recorded insert-if-absent,
 * so with several schedulers watching the same run one records it; that one publishes
 * `deadline_missed`.
 */
export class DeadlineWatcher {
  readonly #d: DeadlineWatcherDeps;
  readonly #scanMs: number;
  readonly #watches = new Map<string, Watch>();
  readonly #heap = new DueHeap<Watch>();
  /** DAG version → what it watches; run → its DAG version. */
  readonly #versions = new LRUCache<string, { w: Watchable }>({ max: 256 });
  readonly #runVersions = new LRUCache<number, string>({ max: 50_000 });
  #inbox: DomainEvent[] = [];
  #draining = false;
  #timer: { dueAt: number; cancel: () => void } | null = null;
  #cancelScan: (() => void) | null = null;
  #firing: Promise<void> | null = null;
  #maxSeenRunId = 0;
  #stopped = false;

  constructor(deps: DeadlineWatcherDeps) {
    this.#d = deps;
    this.#scanMs = deps.scanMs ?? 15_000;
  }

  /** Watches every unfinished run and running attempt in the store, then keeps scanning for new runs. */
  async start(): Promise<void> {
    const running = new Map<number, RunRecord>();
    let beforeId: number | undefined;
    for (;;) {
      const page = await this.#d.store.listRuns({ states: ["queued", "running"], limit: PAGE, ...(beforeId === undefined ? {} : { beforeId }) });
      for (const run of page) {
        if (run.state === "running") running.set(run.id, run);
        await this.#watchRun(run);
      }
      const last = page.at(-1);
      if (page.length < PAGE || last === undefined) break;
      beforeId = last.id;
    }
    const newest = (await this.#d.store.listRuns({ limit: 1 }))[0];
    this.#maxSeenRunId = Math.max(this.#maxSeenRunId, newest?.id ?? 0);
    for (const ti of await this.#d.store.listTaskInstancesInStates(["running"])) {
      const run = running.get(ti.runPk);
      if (run && ti.startedAt !== null) await this.#watchAttempt(run.dagId, run.runId, ti.runPk, ti.taskId, ti.mapIndex, ti.tryNumber, ti.startedAt);
    }
    this.#arm();
    this.#scheduleScan();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = null;
    this.#cancelScan?.();
    this.#cancelScan = null;
  }

  /** Resolves once queued events are handled and due checks are done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#draining || this.#firing) {
      await this.#firing;
      await new Promise((r) => setImmediate(r));
    }
  }

  /** A domain-event subscriber: O(1), never waits; the work happens after the scheduler's turn. */
  onDomainEvent(event: DomainEvent): void {
    if (this.#stopped) return;
    if (event.kind === "run_state_changed" || (event.kind === "attempt_state_changed" && (event.before === null || event.after !== "running"))) {
      this.#inbox.push(event);
      if (!this.#draining) {
        this.#draining = true;
        queueMicrotask(() => void this.#drain());
      }
    }
  }

  /** Deadlines being watched (for tests and diagnostics). */
  get watching(): number {
    return this.#watches.size;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#inbox.length > 0 && !this.#stopped) {
        const batch = this.#inbox;
        this.#inbox = [];
        for (const e of batch) {
          try {
            await this.#apply(e);
          } catch (err) {
            this.#d.logger.warn({ err, dagId: e.dagId, runId: e.runId }, "deadline watcher could not follow an event; ignored");
          }
        }
      }
    } finally {
      this.#draining = false;
      if (!this.#stopped) this.#arm();
    }
  }

  async #apply(e: DomainEvent): Promise<void> {
    if (e.kind === "run_state_changed") {
      if (e.after === "queued" || e.after === "running") {
        // A run already seen (by the scan) whose DAG version watches nothing costs no read.
        const known = this.#runVersions.get(e.runPk);
        if (known !== undefined && (await this.#watchable(known)) === null) return;
        const run = await this.#runOf(e.runPk);
        if (run) await this.#watchRun(run);
      } else {
        const version = this.#runVersions.get(e.runPk);
        const w = version === undefined ? null : this.#versions.get(version)?.w;
        for (let i = 0; i < (w?.spec.deadlines?.length ?? 0); i++) this.#watches.delete(runKey(e.runPk, i));
      }
    } else if (e.kind === "attempt_state_changed") {
      if (e.before === null && e.after === "running") {
        await this.#watchAttempt(e.dagId, e.runId, e.runPk, e.taskId, e.mapIndex, e.tryNumber, e.at);
      } else {
        this.#watches.delete(attemptKey(e.runPk, e.taskId, e.mapIndex, e.tryNumber));
      }
    }
  }

  async #watchRun(run: RunRecord): Promise<void> {
    this.#runVersions.set(run.id, run.dagVersion);
    this.#maxSeenRunId = Math.max(this.#maxSeenRunId, run.id);
    const w = await this.#watchable(run.dagVersion);
    (w?.spec.deadlines ?? []).forEach((deadline, i) => {
      const dueAt = runDeadlineDueAt(deadline, run);
      if (dueAt === null) return;
      this.#add({
        key: runKey(run.id, i),
        dueAt,
        dagId: run.dagId,
        runId: run.runId,
        runPk: run.id,
        taskId: null,
        mapIndex: -1,
        tryNumber: 0,
        deadlineIndex: i,
        description: describeDeadline(deadline),
      });
    });
  }

  async #watchAttempt(dagId: string, runId: string, runPk: number, taskId: string, mapIndex: number, tryNumber: number, startedAt: number): Promise<void> {
    let version = this.#runVersions.get(runPk);
    if (version === undefined) version = (await this.#runOf(runPk))?.dagVersion;
    if (version === undefined) return;
    const ms = (await this.#watchable(version))?.expected.get(taskId);
    if (ms === undefined) return;
    const key = attemptKey(runPk, taskId, mapIndex, tryNumber);
    this.#add({ key, dueAt: startedAt + ms, dagId, runId, runPk, taskId, mapIndex, tryNumber, deadlineIndex: 0, description: describeExpectedDuration(ms) });
  }

  #add(w: Watch): void {
    if (this.#watches.has(w.key)) return;
    this.#watches.set(w.key, w);
    this.#heap.push(w);
  }

  async #runOf(runPk: number): Promise<RunRecord | undefined> {
    const run = await this.#d.store.getRunById(runPk);
    if (run) this.#runVersions.set(runPk, run.dagVersion);
    return run;
  }

  async #watchable(versionHash: string): Promise<Watchable> {
    const cached = this.#versions.get(versionHash);
    if (cached) return cached.w;
    const version = await this.#d.store.getDagVersion(versionHash);
    const spec = version?.spec;
    const expected = new Map<string, number>();
    for (const t of spec?.tasks ?? []) if (t.expectedDurationMs !== undefined) expected.set(t.taskId, t.expectedDurationMs);
    const w: Watchable = spec && ((spec.deadlines?.length ?? 0) > 0 || expected.size > 0) ? { spec, expected } : null;
    this.#versions.set(versionHash, { w });
    return w;
  }

  /** One timer, at the earliest due time still watched. */
  #arm(): void {
    if (this.#stopped || this.#firing) return;
    let top = this.#heap.peek();
    while (top && this.#watches.get(top.key) !== top) {
      this.#heap.pop();
      top = this.#heap.peek();
    }
    if (!top) {
      this.#timer?.cancel();
      this.#timer = null;
      return;
    }
    if (this.#timer?.dueAt === top.dueAt) return;
    this.#timer?.cancel();
    const dueAt = top.dueAt;
    const wait = Math.min(Math.max(0, dueAt - this.#d.clock.now()), MAX_TIMER_MS);
    this.#timer = {
      dueAt,
      cancel: this.#d.clock.setTimer(wait, () => {
        this.#timer = null;
        this.#firing = this.#fire().finally(() => {
          this.#firing = null;
          this.#arm();
        });
      }),
    };
  }

  async #fire(): Promise<void> {
    const now = this.#d.clock.now();
    for (let top = this.#heap.peek(); top && top.dueAt <= now && !this.#stopped; top = this.#heap.peek()) {
      this.#heap.pop();
      if (this.#watches.get(top.key) !== top) continue;
      this.#watches.delete(top.key);
      try {
        await this.#check(top);
      } catch (err) {
        this.#d.logger.warn({ err, dagId: top.dagId, runId: top.runId, deadline: top.description }, "could not check a deadline; will try again");
        // Checked again a little later (a store that is briefly unavailable).
        this.#add({ ...top, dueAt: now + 5_000 });
      }
    }
  }

  /** Is it really late? The store says: not finished yet, or finished after the due time. */
  async #check(w: Watch): Promise<void> {
    let late: boolean;
    if (w.taskId === null) {
      const run = await this.#d.store.getRunById(w.runPk);
      late = run !== undefined && (run.endedAt === null || run.endedAt > w.dueAt || run.state === "queued" || run.state === "running");
    } else {
      const attempt = (await this.#d.store.listAttempts(w.runPk, w.taskId)).find((a) => a.mapIndex === w.mapIndex && a.tryNumber === w.tryNumber);
      late = attempt !== undefined && (attempt.endedAt === null || attempt.endedAt > w.dueAt);
    }
    if (!late) return;
    const miss: MissedDeadline = {
      dagId: w.dagId,
      runId: w.runId,
      runPk: w.runPk,
      taskId: w.taskId,
      mapIndex: w.mapIndex,
      tryNumber: w.tryNumber,
      deadlineIndex: w.deadlineIndex,
      description: w.description,
      dueAt: w.dueAt,
      detectedAt: this.#d.clock.now(),
    };
    const recorded = await this.#d.deadlines.recordMissedDeadline(miss);
    if (!recorded) return; // another scheduler (or this one before a restart) recorded it
    this.#d.logger.warn({ dagId: w.dagId, runId: w.runId, taskId: w.taskId, deadline: w.description, dueAt: w.dueAt }, "deadline missed");
    const { dagId, runId, runPk, taskId, mapIndex, tryNumber, description, dueAt, detectedAt } = recorded;
    this.#d.publish({ kind: "deadline_missed", dagId, runId, runPk, taskId, mapIndex, tryNumber, deadline: description, dueAt, at: detectedAt });
  }

  /** Runs created since the last look: queued runs have no event of their own (docs/ARCHITECTURE.md). */
  #scheduleScan(): void {
    if (this.#stopped) return;
    this.#cancelScan = this.#d.clock.setTimer(this.#scanMs, () => {
      this.#cancelScan = null;
      void this.#scan()
        .catch((err: unknown) => this.#d.logger.warn({ err }, "deadline watcher could not read new runs; will try again"))
        .finally(() => {
          this.#arm();
          this.#scheduleScan();
        });
    });
  }

  async #scan(): Promise<void> {
    const since = this.#maxSeenRunId;
    let beforeId: number | undefined;
    for (;;) {
      const page = await this.#d.store.listRuns({ limit: PAGE, ...(beforeId === undefined ? {} : { beforeId }) });
      for (const run of page) {
        if (run.id <= since) return;
        if (run.state === "queued" || run.state === "running") await this.#watchRun(run);
        else this.#maxSeenRunId = Math.max(this.#maxSeenRunId, run.id);
      }
      const last = page.at(-1);
      if (page.length < PAGE || last === undefined) return;
      beforeId = last.id;
    }
  }
}

const runKey = (runPk: number, index: number) => `r:${runPk}:${index}`;
const attemptKey = (runPk: number, taskId: string, mapIndex: number, tryNumber: number) => `a:${runPk}:${mapIndex}:${tryNumber}:${taskId}`;
