import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "../../src/core/ports/clock.js";
import { systemClock } from "../../src/core/ports/clock.js";
import type { Executor } from "../../src/core/ports/executor.js";
import type { Triggerer } from "../../src/core/ports/triggerer.js";
import type { OutputSealer } from "../../src/core/ports/output-sealer.js";
import type { Metrics } from "../../src/core/ports/metrics.js";
import { silentLogger } from "../../src/core/ports/logger.js";
import type { Store } from "../../src/core/ports/store.js";
import type { CommandInbox } from "../../src/core/ports/command-inbox.js";
import type { RunRecord } from "../../src/core/model/records.js";
import { DagSync } from "../../src/dag-processor/dag-sync.js";
import { LocalProcessExecutor } from "../../src/executor/local-process-executor.js";
import { buildManualRun } from "../../src/scheduler/run-factory.js";
import { Scheduler, type SchedulerOptions } from "../../src/scheduler/scheduler.js";
import type { RemoteAttempts } from "../../src/scheduler/remote-release.js";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite-store.js";

/**
 * A real Baton in a temp folder: DAG files written by the test, the real DAG processor, a
 * durable SQLite store and, by default, the local process pool.
 */
export class Harness {
  readonly root = mkdtempSync(join(tmpdir(), "baton-it-"));
  readonly dagsDir = join(this.root, "dags");
  readonly logsDir = join(this.root, "logs");
  readonly dbPath = join(this.root, "baton.db");
  store!: Store;
  scheduler!: Scheduler;
  executor!: Executor;
  private sync!: DagSync;

  constructor(private readonly files: Record<string, string>) {
    mkdirSync(this.dagsDir, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(this.dagsDir, name), text);
  }

  /** Opens the store and loads the DAGs; call start() to run the scheduler. */
  async load(): Promise<{ errors: unknown[] }> {
    this.store ??= await openSqliteStore(this.dbPath);
    this.sync = new DagSync(this.store, { dagsDir: this.dagsDir, bundleDir: join(this.root, "bundles") });
    const r = await this.sync.syncOnce();
    return { errors: r.errors };
  }

  async start(
    opts: {
      executor?: Executor;
      clock?: Clock;
      scheduler?: Partial<SchedulerOptions>;
      triggerer?: Triggerer;
      sealer?: OutputSealer;
      metrics?: Metrics;
      remoteAttempts?: RemoteAttempts;
    } = {},
  ): Promise<Scheduler> {
    this.executor = opts.executor ?? new LocalProcessExecutor({ processes: 2, prefetch: 2, killGraceMs: 200 });
    this.scheduler = new Scheduler({
      store: this.store,
      inbox: this.store as unknown as CommandInbox,
      executor: this.executor,
      ...(opts.triggerer ? { triggerer: opts.triggerer } : {}),
      ...(opts.sealer ? { sealer: opts.sealer } : {}),
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
      ...(opts.remoteAttempts ? { remoteAttempts: opts.remoteAttempts } : {}),
      clock: opts.clock ?? systemClock,
      logger: silentLogger,
      options: { logsDir: this.logsDir, maxOutputBytes: 1024 * 1024, pollMs: 50, createScheduledRuns: false, ...opts.scheduler },
    });
    await this.scheduler.start();
    return this.scheduler;
  }

  /** Queues a manual run (as `baton dags trigger` does) and returns it. */
  async trigger(dagId: string, conf: Record<string, unknown> = {}, at = Date.now()): Promise<RunRecord> {
    const dag = await this.store.getDag(dagId);
    if (!dag) throw new Error(`no DAG ${dagId}`);
    const version = (await this.store.getDagVersion(dag.latestVersion))!;
    const now = Date.now();
    const { run, tis } = buildManualRun({ version, at, conf, now, runId: `manual__${now}_${Math.random().toString(36).slice(2, 8)}` });
    const created = (await this.store.createRun(run, tis))!;
    this.scheduler?.wake();
    return created;
  }

  async runToEnd(
    dagId: string,
    conf: Record<string, unknown> = {},
  ): Promise<{ run: RunRecord; states: Record<string, string>; tis: Awaited<ReturnType<Store["listTaskInstances"]>> }> {
    const created = await this.trigger(dagId, conf);
    const run = await this.scheduler.waitForRun(created.id);
    const tis = await this.store.listTaskInstances(created.id);
    return { run, tis, states: Object.fromEntries(tis.map((t) => [t.taskId, t.state])) };
  }

  /** The store's command inbox (clear/mark/cancel requests, as the API records them). */
  get inbox(): CommandInbox {
    return this.store as unknown as CommandInbox;
  }

  /** Records a command and waits until the scheduler has applied it; returns its result. */
  async command<K extends Parameters<CommandInbox["enqueueCommand"]>[0]>(
    kind: K,
    payload: Parameters<CommandInbox["enqueueCommand"]>[1] & object,
  ): Promise<string> {
    const cmd = await this.inbox.enqueueCommand(kind, payload as never, "tester", Date.now());
    this.scheduler.wake();
    for (let i = 0; i < 400; i++) {
      const c = await this.inbox.getCommand(cmd.id);
      if (c?.appliedAt !== null && c?.appliedAt !== undefined) return c.result ?? "";
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`command ${kind} was not applied`);
  }

  async stop(): Promise<void> {
    await this.scheduler?.stop(1_000);
    await this.store?.close();
  }

  async dispose(): Promise<void> {
    await this.stop().catch(() => {});
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The DAG file header every test DAG uses. */
export const HEADER = `import { dag, task, shell, branch, shortCircuit, chain, SkipTask, FailTask, z } from "baton";\n`;
