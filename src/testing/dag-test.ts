import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CallbackFirer } from "../alerts/callbacks/callback-firer.js";
import { BatonError, InvalidInputError } from "../core/errors.js";
import { validateDagSpec } from "../core/graph/validate-dag-spec.js";
import { NO_ROUTING } from "../core/model/alert-policy.js";
import { DEFAULT_POOL, type DagSpec } from "../core/model/dag-spec.js";
import type { DeadlineMissed } from "../core/model/domain-events.js";
import { parseDuration } from "../core/model/duration.js";
import type { DagVersionRecord, TaskInstanceRecord } from "../core/model/records.js";
import type { Connection } from "../core/model/connection.js";
import { silentLogger } from "../core/ports/logger.js";
import { isSealedOutput, sealContext } from "../core/ports/output-sealer.js";
import { ManualClock } from "../core/testing/manual-clock.js";
import { InProcessExecutor } from "../executor/in-process-executor.js";
import { provideBundle } from "../executor/task-runner/load-dag.js";
import { attemptLogPath } from "../scheduler/attempt-request.js";
import { DeadlineWatcher } from "../scheduler/deadlines/deadline-watcher.js";
import { buildManualRun } from "../scheduler/run-factory.js";
import { Scheduler } from "../scheduler/scheduler.js";
import { CipherOutputSealer } from "../secrets/output-sealer.js";
import { SecretCipher } from "../secrets/secret-cipher.js";
import { isDagDefinition, type DagDefinition } from "../sdk/definition.js";
import type { FullStore } from "../store/full-store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite-store.js";
import { LocalTriggerer } from "../triggerer/local-triggerer.js";
import { runResult, type RunResult, type TaskResult } from "./results.js";
import { testDefinition } from "./test-definition.js";
import { ParkedCounter, type TaskOverrides } from "./task-overrides.js";
import { testSecrets } from "./test-secrets.js";
import { useVirtualDate } from "./virtual-date.js";
import { WatchedExecutor } from "./watched-executor.js";

type Instant = Date | string | number;

/** Options of {@link testDag} and {@link startDag}. */
export interface TestDagOptions {
  /** The run's params (its conf), checked against the DAG's `params` schema as a trigger would. */
  params?: Record<string, unknown>;
  /** The run's logical date; default: the start time. */
  logicalDate?: Instant;
  /** Virtual time when the test starts; default: now (real time). */
  now?: Instant;
  /** Per task id: fail, delay, skip, replace (see {@link TaskOverrides}). Unknown ids are an error. */
  tasks?: TaskOverrides;
  /** Also print what tasks log (it is always kept in `task(id).logs`). Default false. */
  printLogs?: boolean;
  /** `Date` reads virtual time while the DAG runs (task code, sensors, log lines). Default true. */
  virtualDate?: boolean;
  /**
   * Let the scheduler create the DAG's scheduled runs as virtual time passes (its `schedule`,
   * `startDate`, `catchup`). Default false: only the test's run exists.
   */
  schedules?: boolean;
  /** Start a manual run at once (the run `task()` and `state` are about). Default true. */
  trigger?: boolean;
  /** Virtual time `testDag` and `finish()` wait for the run at most before throwing. Default "7d". */
  maxTime?: number | string;
  /**
   * Real ms that task code may run without any attempt starting or ending before virtual time
   * moves on anyway (it waits for something only time brings, such as its timeout). Default 500.
   */
  stallMs?: number;
  /**
   * What `ctx.connection(id)` returns: a URI in Airflow's format (`postgres://user:pw@host/db`) or a
   * Connection object. Nothing else is looked up (no environment, no database).
   */
  connections?: Readonly<Record<string, string | Omit<Connection, "id">>>;
  /** What `ctx.variable(key)` returns. */
  variables?: Readonly<Record<string, string>>;
  /** Attempts running at the same time. Default 4. */
  concurrency?: number;
  /**
   * How often the scheduler looks at the time (schedules, run timeouts), in virtual time. Default
   * "1m" with `schedules` or a DAG `runTimeout`, else "1h" (retries, sensors, task timeouts and
   * deadlines have timers of their own; fewer looks make long virtual waits quicker).
   */
  tickEvery?: number | string;
}

/**
 * Runs `dag` (the object `dag()` returned, as the DAG file exports it) in this process on a
 * virtual clock and returns the finished run: retries, backoffs, sensors and timeouts take
 * virtual time, not real time. Task code runs here, so the test's mocks and spies apply.
 *
 * @example
 * import { testDag } from "baton/testing";
 * import pipeline from "../dags/example.js";
 * const run = await testDag(pipeline, { params: { day: "2026-01-01" }, tasks: { extract: { failOnTries: [1] } } });
 * expect(run.state).toBe("success");
 * expect(run.task("extract").tries).toBe(2);
 */
export async function testDag(dag: DagDefinition, options: TestDagOptions = {}): Promise<RunResult> {
  const t = await startDag(dag, options);
  try {
    return await t.finish();
  } finally {
    await t.dispose();
  }
}

/**
 * Starts `dag` on a virtual clock and returns at once (time stands still until the test moves
 * it): step through with {@link DagTest.advance}, look with {@link DagTest.task}, end with
 * {@link DagTest.finish} (or {@link DagTest.dispose}, which `testDag` and `await using` call).
 */
export async function startDag(dag: DagDefinition, options: TestDagOptions = {}): Promise<DagTest> {
  if (!isDagDefinition(dag)) {
    throw new InvalidInputError(`testDag: expected the DAG object dag() returns (the DAG file's export), got ${dag === null ? "null" : typeof dag}`);
  }
  const t = new DagTest(dag, options);
  try {
    await t.start();
  } catch (e) {
    await t.dispose();
    throw e;
  }
  return t;
}

let nextBundle = 0;

/** A DAG running on a virtual clock, driven by the test. Made by {@link startDag}. */
export class DagTest {
  /** The virtual clock: `clock.now()` is the test's time. */
  readonly clock: ManualClock;
  readonly #dag: DagDefinition;
  readonly #opts: TestDagOptions;
  readonly #root = mkdtempSync(join(tmpdir(), "baton-testdag-"));
  readonly #parked = new ParkedCounter();
  readonly #missed: DeadlineMissed[] = [];
  readonly #cleanups: (() => void)[] = [];
  #store: FullStore | null = null;
  #scheduler: Scheduler | null = null;
  #executor: WatchedExecutor | null = null;
  #watcher: DeadlineWatcher | null = null;
  #callbacks: CallbackFirer | null = null;
  #triggerer: LocalTriggerer | null = null;
  #sealer = new CipherOutputSealer(() => new SecretCipher(randomBytes(32)));
  #spec!: DagSpec;
  #runPk: number | null = null;
  #domainEvents = 0;
  #runs: RunResult[] = [];
  #main: RunResult | null = null;
  #disposed = false;

  constructor(dag: DagDefinition, opts: TestDagOptions) {
    this.#dag = dag;
    this.#opts = opts;
    this.clock = new ManualClock(opts.now === undefined ? Date.now() : instant(opts.now, "now"));
  }

  /** @internal Called by startDag. */
  async start(): Promise<void> {
    const o = this.#opts;
    const spec: DagSpec = { ...this.#dag.toSpec(), fileloc: `<testDag ${this.#dag.dagId}>` };
    const problems = validateDagSpec(spec);
    if (problems.length > 0) throw problems[0]!;
    this.#spec = spec;
    const bundlePath = join(this.#root, `testdag-${++nextBundle}.mjs`);
    const definition = testDefinition(this.#dag, spec, o.tasks ?? {}, this.clock, this.#parked);
    this.#cleanups.push(provideBundle(bundlePath, [definition]));
    if (o.virtualDate !== false) this.#cleanups.push(useVirtualDate(() => this.clock.now()));
    const now = this.clock.now();
    const version: DagVersionRecord = {
      versionHash: createHash("sha256")
        .update(`${bundlePath}\0${JSON.stringify(spec)}`)
        .digest("hex"),
      dagId: spec.dagId,
      spec,
      source: "",
      bundlePath,
      createdAt: now,
    };
    const store = (this.#store = await openSqliteStore(":memory:", { clock: this.clock }));
    await store.saveDagVersion(version);
    for (const [name, slots] of poolsNamedBy(spec.tasks)) await store.upsertPool({ name, slots, description: "created by testDag" });
    const logsDir = join(this.#root, "logs");
    const tickMs = parseDuration(o.tickEvery ?? defaultTick(spec, o), "testDag: tickEvery");
    const secrets = testSecrets(o.connections ?? {}, o.variables ?? {});
    const inner = new InProcessExecutor({ clock: this.clock, echoOutput: o.printLogs ?? false, concurrency: o.concurrency ?? 4, secrets });
    const executor = (this.#executor = new WatchedExecutor(inner));
    this.#triggerer = new LocalTriggerer({ clock: this.clock, secrets });
    const scheduler = (this.#scheduler = new Scheduler({
      store,
      inbox: store,
      datasets: store,
      executor,
      triggerer: this.#triggerer,
      sealer: this.#sealer,
      clock: this.clock,
      logger: silentLogger,
      options: {
        logsDir,
        maxOutputBytes: 16 * 1024 * 1024,
        pollMs: tickMs,
        heartbeatMs: 3_600_000,
        commitDelayMs: 0,
        createScheduledRuns: o.schedules ?? false,
      },
    }));
    const watcher = (this.#watcher = new DeadlineWatcher({
      store,
      deadlines: store.deadlines,
      clock: this.clock,
      logger: silentLogger,
      // Runs come from this scheduler, whose events the watcher hears; its scan is for other processes'.
      scanMs: tickMs,
      publish: (e) => scheduler.publishDomainEvents([e]),
    }));
    const callbacks = (this.#callbacks = new CallbackFirer({
      store,
      callbacks: store.callbacks,
      executor,
      outbox: null,
      routing: NO_ROUTING,
      links: { baseUrl: "http://localhost" },
      logPaths: {
        attempt: (run, taskId, tryNumber, mapIndex) => attemptLogPath(logsDir, run, taskId, tryNumber, mapIndex),
        run: (run) => join(logsDir, `dag_id=${run.dagId}`, `run_id=${run.runId}`, "callbacks.log"),
      },
      claimer: "testDag",
      clock: this.clock,
      logger: silentLogger,
    }));
    scheduler.onDomainEvent((e) => {
      this.#domainEvents++;
      watcher.onDomainEvent(e);
      callbacks.listener(e);
      if (e.kind === "deadline_missed") this.#missed.push(e);
    });
    if (o.trigger !== false) {
      const at = o.logicalDate === undefined ? undefined : instant(o.logicalDate, "logicalDate");
      const { run, tis } = buildManualRun({ version, now, conf: o.params ?? {}, ...(at !== undefined ? { at } : {}) });
      this.#runPk = (await store.createRun(run, tis))!.id;
    }
    await scheduler.start();
    await watcher.start();
    scheduler.wake();
    await this.settle(); // what is due at start has happened (first tasks run, a sensor's first poke)
  }

  /** The test's run (the manual run started at once); throws when `trigger: false`. */
  get run(): RunResult {
    if (this.#main === null) throw new BatonError("testDag: no run was triggered (trigger: false); read runs instead");
    return this.#main;
  }

  /** Every run of the DAG, oldest first (with `schedules: true`, the scheduled ones too). */
  get runs(): readonly RunResult[] {
    return this.#runs;
  }

  /** The run's state as of the last step. */
  get state(): RunResult["state"] {
    return this.run.state;
  }

  /** A task of the test's run as of the last step (see {@link RunResult.task}). */
  task<T = unknown>(taskId: string, mapIndex?: number): TaskResult<T> {
    return this.run.task<T>(taskId, mapIndex);
  }

  /** Virtual time now (epoch ms). */
  now(): number {
    return this.clock.now();
  }

  /** Moves virtual time forward by `by` (ms or `"10m"`), running everything that falls due on the way. */
  async advance(by: number | string): Promise<void> {
    const ms = parseDuration(by, "testDag: advance");
    await this.#drive(this.clock.now() + ms, async () => false);
  }

  /** Lets whatever is due now happen, without moving time. */
  async settle(): Promise<void> {
    await this.#drive(this.clock.now(), async () => false);
  }

  /**
   * Moves virtual time until `check` holds for the test's run (looked at after every step), at
   * most `maxTime` (default "7d"); throws when it never holds.
   */
  async advanceUntil(check: (run: RunResult) => boolean, maxTime: number | string = this.#opts.maxTime ?? "7d"): Promise<RunResult> {
    const limit = this.clock.now() + parseDuration(maxTime, "testDag: maxTime");
    const holds = async () => {
      await this.#snapshot();
      return check(this.run);
    };
    if (await this.#drive(limit, holds)) return this.run;
    throw new BatonError(`testDag: the condition did not hold within ${formatSpan(maxTime)} of virtual time; ${this.#describe()}`);
  }

  /** Runs the test's run to its end (virtual time advancing) and returns it; throws after `maxTime`. */
  async finish(): Promise<RunResult> {
    const maxTime = this.#opts.maxTime ?? "7d";
    const limit = this.clock.now() + parseDuration(maxTime, "testDag: maxTime");
    const runPk = this.#runPk;
    if (runPk === null) throw new BatonError("testDag: no run was triggered (trigger: false); use advance() and runs");
    const ended = async () => {
      const state = (await this.#store!.getRunById(runPk))?.state;
      return state === "success" || state === "failed";
    };
    if (!(await this.#drive(limit, ended))) {
      throw new BatonError(`testDag: run did not finish within ${formatSpan(maxTime)} of virtual time; ${this.#describe()}`);
    }
    await this.#callbacks?.idle();
    await this.#drive(this.clock.now(), async () => false); // what the last events started
    return this.run;
  }

  /** Stops the scheduler and frees everything (idempotent). */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    // Results stay readable after the temp folder is gone.
    for (const run of this.#runs) run.tasks().forEach(readLogsNow);
    try {
      this.#watcher?.stop();
      const stopped = this.#scheduler?.stop(1_000) ?? Promise.resolve();
      let done = false;
      void stopped.finally(() => (done = true)).catch(() => {});
      // A graceful stop waits on the clock for running attempts.
      for (let i = 0; i < 10 && !done; i++) {
        await this.#quiet();
        this.clock.advance(1_000);
      }
      await stopped;
      await this.#triggerer?.close();
      await this.#store?.close();
    } finally {
      for (const c of this.#cleanups.reverse()) c();
      rmSync(this.#root, { recursive: true, force: true });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  /**
   * Moves the clock towards `limitAt`, one due timer at a time, until `stop()` holds (true) or
   * the limit is reached (false). Time moves only while no task code runs in real time, unless
   * it ran `stallMs` without an attempt starting or ending.
   */
  async #drive(limitAt: number, stop: () => Promise<boolean>): Promise<boolean> {
    if (this.#disposed) throw new BatonError("testDag: this test DAG was disposed");
    const stallMs = this.#opts.stallMs ?? 500;
    let seen = -1;
    let since = performance.now();
    for (;;) {
      await this.#quiet();
      if (await stop()) {
        await this.#snapshot();
        return true;
      }
      const executor = this.#executor!;
      if (executor.busy - this.#parked.count > 0) {
        if (executor.events !== seen) {
          seen = executor.events;
          since = performance.now();
        }
        if (performance.now() - since < stallMs) {
          await new Promise((r) => setTimeout(r, 1));
          continue;
        }
      }
      const due = this.clock.nextDue();
      if (due === null || due > limitAt) {
        this.clock.advance(Math.max(0, limitAt - this.clock.now()));
        await this.#quiet();
        const stopped = await stop();
        await this.#snapshot();
        return stopped;
      }
      this.clock.advance(Math.max(0, due - this.clock.now()));
    }
  }

  /** Fires what is due now and lets the async work it starts (store reads, commits) run, until nothing changes. */
  async #quiet(): Promise<void> {
    const mark = () => `${this.#executor?.events}:${this.#domainEvents}:${this.clock.pending}:${this.clock.nextDue()}`;
    for (let stable = 0, i = 0; stable < 2 && i < 1_000; i++) {
      const before = mark();
      this.clock.advance(0);
      for (let j = 0; j < 10; j++) await new Promise((r) => setImmediate(r));
      await this.#watcher?.idle();
      stable = mark() === before ? stable + 1 : 0;
    }
  }

  async #snapshot(): Promise<void> {
    const store = this.#store!;
    const runs = await store.listRuns({ dagId: this.#spec.dagId, limit: 1_000_000 });
    runs.sort((a, b) => a.id - b.id);
    const order = this.#spec.tasks.map((t) => t.taskId);
    const out: RunResult[] = [];
    this.#main = null;
    for (const run of runs) {
      const [tis, attempts] = [await store.listTaskInstances(run.id), await store.listAttempts(run.id)];
      const open = (ti: TaskInstanceRecord) => {
        if (!isSealedOutput(ti.output)) return ti.output;
        return this.#sealer.open(ti.output, sealContext(run.dagId, run.runId, ti.taskId, ti.mapIndex));
      };
      const result = runResult({ run, tis, attempts, missed: this.#missed }, order, open);
      if (run.id === this.#runPk) this.#main = result;
      out.push(result);
    }
    this.#runs = out;
  }

  #describe(): string {
    const run = this.#main ?? this.#runs[0];
    if (!run) return "no runs";
    const states = run
      .tasks()
      .map((t) => `${t.taskId}=${t.state}`)
      .join(", ");
    return `run ${run.runId} is ${run.state}; tasks: ${states}`;
  }
}

function defaultTick(spec: DagSpec, o: TestDagOptions): string {
  return o.schedules || spec.runTimeoutMs !== null ? "1m" : "1h";
}

function readLogsNow(t: TaskResult): void {
  for (const a of t.attempts) void a.log;
  t.copies.forEach(readLogsNow);
}

function instant(value: Instant, what: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidInputError(`testDag: ${what} must be a Date, an ISO date text or epoch ms; got ${String(value)}`);
  return ms;
}

function formatSpan(d: number | string): string {
  return typeof d === "number" ? `${d} ms` : d;
}

/** Pools other than default_pool that the tasks name, with the most slots one task takes. */
function poolsNamedBy(tasks: readonly { pool: string; poolSlots: number }[]): Map<string, number> {
  const pools = new Map<string, number>();
  for (const t of tasks) if (t.pool !== DEFAULT_POOL) pools.set(t.pool, Math.max(pools.get(t.pool) ?? 1, t.poolSlots));
  return pools;
}
