import { copyFileSync } from "node:fs";
import { vi } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite-store.js";
import type { Store } from "../../src/core/ports/store.js";
import type { Triggerer } from "../../src/core/ports/triggerer.js";
import type { Executor } from "../../src/core/ports/executor.js";
import type { CommandKind, CommandPayloads, TaskInstanceRecord } from "../../src/core/model/records.js";
import { ManualClock } from "../../src/core/testing/manual-clock.js";
import { InProcessExecutor } from "../../src/executor/in-process-executor.js";
import type { SchedulerOptions } from "../../src/scheduler/scheduler.js";
import { Harness } from "./harness.js";
import { manualStart, settle, until } from "./manual-time.js";

/**
 * DAG files loaded once (the DAG processor's child process is the slow part of a test): each
 * test then starts on its own copy of the database, whose DAG versions point at these bundles.
 */
export class LoadedDags {
  private constructor(readonly source: Harness) {}

  /** `prepare` writes what every test starts with (pools…) into the loaded database. */
  static async load(files: Record<string, string>, prepare?: (store: Store) => Promise<void>): Promise<LoadedDags> {
    const source = new Harness(files);
    const loaded = await source.load();
    if (loaded.errors.length > 0) throw new Error(`DAG files did not load: ${JSON.stringify(loaded.errors)}`);
    await prepare?.(source.store);
    await source.store.close();
    return new LoadedDags(source);
  }

  /** A new harness whose store is a copy of the loaded database (not yet started). */
  async fork(): Promise<Harness> {
    const h = new Harness({});
    copyFileSync(this.source.dbPath, h.dbPath);
    h.store = await openSqliteStore(h.dbPath);
    return h;
  }

  dispose(): Promise<void> {
    return this.source.dispose();
  }
}

/**
 * A manual clock that the process's wall clock (`Date`) follows: task code run by the in-process
 * executor reads `Date.now()` as a worker would (sensor pokes time their reschedules and
 * timeouts with it), so it must agree with the scheduler's clock. Only `Date` is faked; real
 * timers still run the I/O the tests wait on.
 */
export class WallSyncedClock extends ManualClock {
  constructor(start: number) {
    super(start);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(start);
  }

  override setTimer(ms: number, fn: () => void): () => void {
    return super.setTimer(ms, () => {
      vi.setSystemTime(this.now());
      fn();
    });
  }

  override advance(ms: number): void {
    super.advance(ms);
    vi.setSystemTime(this.now());
  }

  /** Gives `Date` back its real time. */
  release(): void {
    vi.useRealTimers();
  }
}

/** The manual time task code can read: `globalThis.batonNow()`. */
let current: ManualClock | undefined;
(globalThis as { batonNow?: () => number }).batonNow = () => current?.now() ?? Number.NaN;

/**
 * The real scheduler, the in-process executor and a temp SQLite file, on a manual clock. Commits
 * use the zero window (next turn of the event loop) so the store shows a change without time
 * moving; every other timer is on the clock.
 */
export async function startOnManualClock(
  dags: LoadedDags | Record<string, string>,
  opts: {
    concurrency?: number;
    scheduler?: Partial<SchedulerOptions>;
    triggerer?: (clock: ManualClock) => Triggerer;
    executor?: Executor | ((h: Harness, clock: ManualClock) => Executor);
  } = {},
): Promise<{ h: Harness; clock: WallSyncedClock; t0: number }> {
  const t0 = manualStart();
  const h = dags instanceof LoadedDags ? await dags.fork() : new Harness(dags);
  if (!(dags instanceof LoadedDags)) {
    const loaded = await h.load();
    if (loaded.errors.length > 0) throw new Error(`DAG files did not load: ${JSON.stringify(loaded.errors)}`);
  }
  const clock = new WallSyncedClock(t0);
  current = clock;
  await h.start({
    clock,
    executor:
      typeof opts.executor === "function"
        ? opts.executor(h, clock)
        : (opts.executor ?? new InProcessExecutor({ clock, echoOutput: false, concurrency: opts.concurrency ?? 4 })),
    ...(opts.triggerer ? { triggerer: opts.triggerer(clock) } : {}),
    scheduler: { pollMs: 60_000, commitDelayMs: 0, ...opts.scheduler },
  });
  return { h, clock, t0 };
}

/**
 * Starts a new scheduler (and in-process executor) on the harness's store, on a new clock at
 * `at`, without stopping the old one: as after a crash, whatever the old one held in memory is
 * lost, its timers never fire, its late results go nowhere durable.
 */
export async function restartOnManualClock(h: Harness, at: number): Promise<WallSyncedClock> {
  const clock = new WallSyncedClock(at);
  current = clock;
  await h.start({ clock, executor: new InProcessExecutor({ clock, echoOutput: false, concurrency: 4 }), scheduler: { pollMs: 60_000, commitDelayMs: 0 } });
  return clock;
}

/** Stops the harness; a graceful stop waits on the clock for its grace period, so time is moved past it. */
export async function disposeOnManualClock(h: Harness | undefined, clock: ManualClock | undefined): Promise<void> {
  openAllGates();
  const disposed = h?.dispose();
  for (let i = 0; i < 5; i++) {
    await settle();
    clock?.advance(1_000);
  }
  await disposed;
  if (clock instanceof WallSyncedClock) clock.release();
  current = undefined;
}

/** The task instance once `ok` holds for it (waiting on I/O only, time stands still). */
export function tiWhen(h: Harness, clock: ManualClock, runPk: number, taskId: string, ok: (ti: TaskInstanceRecord) => boolean): Promise<TaskInstanceRecord> {
  return until(clock, `${taskId} in the expected state`, async () => {
    const ti = (await h.store.listTaskInstances(runPk)).find((t) => t.taskId === taskId);
    return ti && ok(ti) ? ti : undefined;
  });
}

/** The run once it is in `state`. */
export function runWhen(h: Harness, clock: ManualClock, runPk: number, state: string) {
  return until(clock, `run ${runPk} ${state}`, async () => {
    const r = await h.store.getRunById(runPk);
    return r?.state === state ? r : undefined;
  });
}

/** Records a command as the API does and waits until the scheduler applied it; returns its result. */
export async function commandOnClock<K extends CommandKind>(h: Harness, clock: ManualClock, kind: K, payload: CommandPayloads[K]): Promise<string> {
  const cmd = await h.inbox.enqueueCommand(kind, payload, "tester", clock.now());
  h.scheduler.wake();
  return until(clock, `${kind} applied`, async () => {
    const c = await h.inbox.getCommand(cmd.id);
    return c?.appliedAt != null ? (c.result ?? "") : undefined;
  });
}

/**
 * Gates tasks wait on: task code calls `await globalThis.batonGate("name")` (the in-process
 * executor runs it in the test's process) and finishes when the test calls `openGate("name")`,
 * so a task lasts exactly as long as the test decides, in manual time.
 */
const gates = new Map<string, { promise: Promise<void>; open: () => void }>();
function gate(name: string) {
  let g = gates.get(name);
  if (!g) {
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    gates.set(name, (g = { promise, open }));
  }
  return g;
}
(globalThis as { batonGate?: (name: string) => Promise<void> }).batonGate = (name) => gate(name).promise;

export function openGate(name: string): void {
  gate(name).open();
}

export function openAllGates(): void {
  for (const g of gates.values()) g.open();
  gates.clear();
}

/** What task code writes to read the manual time. */
export const NOW = `(globalThis as unknown as { batonNow(): number }).batonNow`;

/** What task code writes to wait on a gate. */
export const GATE = `(globalThis as unknown as { batonGate(n: string): Promise<void> }).batonGate`;
