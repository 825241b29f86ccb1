import { hasCallbacks, type Firing } from "../../core/alerts/callback-firing.js";
import type { CallbackEvent } from "../../core/model/callbacks.js";
import type { DagSpec } from "../../core/model/dag-spec.js";
import type { AttemptRecord, RunRecord, TaskInstanceRecord } from "../../core/model/records.js";
import type { CallbackStore } from "../../core/ports/callback-store.js";
import type { Clock } from "../../core/ports/clock.js";
import type { Logger } from "../../core/ports/logger.js";
import type { Store } from "../../core/ports/store.js";
import { CLAIM_STALE_MS } from "./callback-firer.js";

export interface CallbackSweepDeps {
  store: Pick<Store, "listRuns" | "listTaskInstances" | "listAttempts" | "getDagVersion">;
  callbacks: Pick<CallbackStore, "listCallbacks">;
  /**
   * Hands a firing to the firer's queue (`CallbackFirer.fire`): it claims it (insert-if-absent)
   * before firing, or with `retake` takes over a claim whose claimant stopped refreshing it.
   */
  fire(firing: Firing, retake: boolean): void;
  clock: Clock;
  logger: Logger;
  /** How far back changes are looked at (BATON_CALLBACK_SWEEP_HOURS, default 24 h). */
  windowMs: number;
  /** Between sweeps (default 60 s). */
  intervalMs?: number;
  /** Changes younger than this are left to the process that made them (default 30 s). */
  graceMs?: number;
  /** Runs read per page (default 50). */
  pageSize?: number;
  /** Runs looked at per sweep at most; the next sweep goes on from there (default 500). */
  maxRunsPerSweep?: number;
}

/**
 * Notes the scheduler writes when a user's command made the change (src/scheduler/run-commands.ts):
 * `marked success|failed[ by <who>]`, `cancelled[ by <who>]`, `backfill <id> cancelled[ by <who>]`.
 * A manual mark fires nothing (docs/alerts.md), and the store keeps no other trace of who made a
 * change, so the sweep reads it from the run's note and the task instance's error.
 */
const USER_NOTE = /^(marked (success|failed)|cancelled|backfill \d+ cancelled)( by |$)/;

/**
 * Fires callbacks whose firing was lost (docs/alerts.md, "Once, across schedulers"): the process
 * that committed a change claims its callbacks right after, from the domain event; if it died in
 * between, no one else heard of the change. Every `intervalMs`, and once at start, this looks at
 * the runs of the last `windowMs` (newest first, in pages, at most `maxRunsPerSweep` per sweep)
 * and at each run's end and each task instance's current state; what would have fired and has no
 * claim in `callback_claims` is handed to the firer, which claims it first (so a firing racing the
 * live path, or another scheduler's sweep, still fires once). Manual marks and cancels are left out.
 * Off the scheduler's path: its own timer, its own reads.
 */
export class CallbackSweep {
  readonly #deps: CallbackSweepDeps;
  readonly #specs = new Map<string, DagSpec | null>();
  #cancel: (() => void) | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;
  /** Where the previous sweep stopped when it hit `maxRunsPerSweep` (page on from there). */
  #beforeId: number | undefined;

  constructor(deps: CallbackSweepDeps) {
    this.#deps = deps;
  }

  /** Sweeps now (in the background), then every `intervalMs`. */
  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = null;
  }

  /** Resolves once the sweep under way (if any) is done. */
  async idle(): Promise<void> {
    await this.#running;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#cancel = this.#deps.clock.setTimer(ms, () => {
      this.#cancel = null;
      this.#running = this.sweepOnce()
        .then(() => undefined)
        .catch((err: unknown) => this.#deps.logger.warn({ err }, "callback sweep failed; trying again later"))
        .finally(() => {
          this.#running = null;
          this.#schedule(this.#deps.intervalMs ?? 60_000);
        });
    });
  }

  /** One sweep; returns how many firings it handed to the firer. */
  async sweepOnce(): Promise<number> {
    const { store, clock, windowMs } = this.#deps;
    const pageSize = this.#deps.pageSize ?? 50;
    const maxRuns = this.#deps.maxRunsPerSweep ?? 500;
    const now = clock.now();
    const from = now - windowMs;
    const to = now - (this.#deps.graceMs ?? 30_000);
    let handed = 0;
    let seen = 0;
    let beforeId = this.#beforeId;
    for (;;) {
      const page = await store.listRuns({ beforeId, limit: pageSize });
      for (const run of page) {
        handed += await this.#sweepRun(run, from, to);
        seen++;
      }
      const last = page.at(-1);
      // Newest first by id: once a page ends on a run created before the window, the rest are older.
      if (last === undefined || page.length < pageSize || last.createdAt < from) {
        this.#beforeId = undefined;
        break;
      }
      beforeId = last.id;
      if (seen >= maxRuns) {
        this.#beforeId = beforeId;
        break;
      }
    }
    if (handed > 0) this.#deps.logger.info({ firings: handed }, "callback sweep: firings nobody claimed handed to the firer");
    return handed;
  }

  async #sweepRun(run: RunRecord, from: number, to: number): Promise<number> {
    const spec = await this.#spec(run.dagVersion);
    if (spec === null) return 0;
    const candidates: Firing[] = [];
    const within = (at: number | null): at is number => at !== null && at >= from && at <= to;
    // The task instances' before the run's, as they fire live.
    if (hasCallbacks(spec)) {
      const tis = (await this.#deps.store.listTaskInstances(run.id)).filter((ti) => TI_EVENTS[ti.state] !== undefined && within(ti.endedAt ?? ti.updatedAt));
      let attempts: AttemptRecord[] | null = null;
      for (const ti of tis) {
        if (isUsers(ti.error)) continue;
        if (ti.state === "success") {
          // A success the scheduler recorded has its try's attempt succeeded; one marked by a user does not.
          attempts ??= await this.#deps.store.listAttempts(run.id);
          if (!attempts.some((a) => a.taskId === ti.taskId && a.mapIndex === ti.mapIndex && a.tryNumber === ti.tryNumber && a.state === "success")) continue;
        }
        candidates.push(firingOfTi(run, ti));
      }
    }
    // The run's end (its alert policy may care even without callbacks: the firer decides).
    if ((run.state === "success" || run.state === "failed") && within(run.endedAt) && !isUsers(run.note)) {
      candidates.push({
        event: run.state === "success" ? "success" : "failure",
        dagId: run.dagId,
        runId: run.runId,
        runPk: run.id,
        taskId: null,
        mapIndex: -1,
        tryNumber: 0,
        state: run.state,
        error: run.note,
        at: run.endedAt,
      });
    }
    if (candidates.length === 0) return 0;
    const claims = new Map(
      (await this.#deps.callbacks.listCallbacks({ dagId: run.dagId, runId: run.runId, limit: 500 }))
        .filter((c) => c.runPk === run.id)
        .map((c) => [keyOf(c.taskId, c.mapIndex, c.tryNumber, c.event), c]),
    );
    // A claim still `running` that its claimant stopped refreshing was lost with it, mid-firing.
    const staleBefore = this.#deps.clock.now() - CLAIM_STALE_MS;
    let handed = 0;
    for (const f of candidates) {
      const event = f.taskId === null ? `${f.event}@${run.startedAt ?? 0}` : f.event;
      const claim = claims.get(keyOf(f.taskId, f.mapIndex, f.tryNumber, event));
      const lost = claim !== undefined && claim.status === "running" && claim.claimedAt < staleBefore;
      if (claim !== undefined && !lost) continue;
      this.#deps.fire(f, lost);
      handed++;
    }
    return handed;
  }

  async #spec(versionHash: string): Promise<DagSpec | null> {
    let spec = this.#specs.get(versionHash);
    if (spec === undefined) {
      spec = (await this.#deps.store.getDagVersion(versionHash))?.spec ?? null;
      if (this.#specs.size >= 256) this.#specs.clear();
      this.#specs.set(versionHash, spec);
    }
    return spec;
  }
}

/** What a task instance's current state fires (as `firingOf` maps its change); `running` (onExecute) is not swept. */
const TI_EVENTS: Partial<Record<string, CallbackEvent>> = {
  up_for_retry: "retry",
  failed: "failure",
  upstream_failed: "failure",
  success: "success",
  skipped: "skipped",
};

function firingOfTi(run: RunRecord, ti: TaskInstanceRecord): Firing {
  return {
    event: TI_EVENTS[ti.state]!,
    dagId: run.dagId,
    runId: run.runId,
    runPk: run.id,
    taskId: ti.taskId,
    mapIndex: ti.mapIndex,
    tryNumber: ti.tryNumber,
    state: ti.state,
    error: ti.error,
    at: ti.endedAt ?? ti.updatedAt,
  };
}

function isUsers(note: string | null): boolean {
  return note !== null && USER_NOTE.test(note);
}

function keyOf(taskId: string | null, mapIndex: number, tryNumber: number, event: string): string {
  return `${taskId ?? ""}\0${mapIndex}\0${tryNumber}\0${event}`;
}
