import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TaskKind } from "../../core/model/dag-spec.js";
import type { AttemptReport, AttemptRequest, ExecutorListener } from "../../core/ports/executor.js";

/**
 * Test support: DAG modules written as plain .mjs (no SDK), attempt requests and a listener
 * that records what the executor reports.
 */
export function tempDir(prefix = "baton-executor-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes `${dir}/${name}.mjs` exporting a DagDefinition-shaped object. `tasks` is JS source of an
 * object literal: `{ id: { kind: "function", async run(ctx, inputs) { … } }, … }`.
 */
export function writeDagModule(dir: string, dagId: string, tasks: string, name = dagId): string {
  const path = join(dir, `${name}.mjs`);
  writeFileSync(
    path,
    `const SKIP = Symbol.for("baton.skip-task");
const FAIL = Symbol.for("baton.fail-task");
export const skip = (message) => ({ [SKIP]: true, message });
export const fail = (message) => ({ [FAIL]: true, message });
const tasks = ${tasks};
export const dag = {
  [Symbol.for("baton.dag")]: true,
  dagId: ${JSON.stringify(dagId)},
  toSpec() { throw new Error("not used by the executor"); },
  getTask(id) { const t = tasks[id]; return t && { taskId: id, ...t }; },
};
`,
  );
  return path;
}

let counter = 0;

export interface RequestOptions {
  bundlePath: string;
  logDir: string;
  taskId: string;
  dagId?: string;
  kind?: TaskKind;
  tryNumber?: number;
  executionTimeoutMs?: number | null;
  inputs?: Record<string, unknown>;
  params?: Record<string, unknown>;
  maxOutputBytes?: number;
  logicalDate?: number | null;
  timezone?: string;
}

export function makeRequest(o: RequestOptions): AttemptRequest {
  const runPk = ++counter;
  const tryNumber = o.tryNumber ?? 1;
  const dagId = o.dagId ?? "d";
  const logicalDate = o.logicalDate === undefined ? Date.UTC(2026, 10, 21, 8) : o.logicalDate;
  return {
    attemptId: `${runPk}/${o.taskId}/-1/${tryNumber}`,
    runPk,
    taskId: o.taskId,
    mapIndex: -1,
    tryNumber,
    maxTries: 3,
    bundlePath: o.bundlePath,
    task: {
      taskId: o.taskId,
      kind: o.kind ?? "function",
      upstream: [],
      inputs: {},
      retries: 2,
      retryDelayMs: 0,
      retryExponentialBackoff: false,
      maxRetryDelayMs: null,
      executionTimeoutMs: o.executionTimeoutMs ?? null,
      triggerRule: "all_success",
      pool: "default_pool",
      poolSlots: 1,
      priorityWeight: 1,
      dependsOnPast: false,
      command: null,
      line: null,
      doc: null,
      inlets: [],
      outlets: [],
    },
    context: {
      dagId,
      runId: `manual__${runPk}`,
      runType: "manual",
      logicalDate,
      dataIntervalStart: logicalDate,
      dataIntervalEnd: logicalDate,
      timezone: o.timezone ?? "UTC",
      params: o.params ?? {},
      conf: {},
    },
    inputs: o.inputs ?? {},
    logPath: join(o.logDir, dagId, String(runPk), o.taskId, `${tryNumber}.log`),
    maxOutputBytes: o.maxOutputBytes ?? 1024 * 1024,
  };
}

/** Records reports; `finished(id)` resolves with an attempt's report when it comes. */
export class RecordingListener implements ExecutorListener {
  readonly started_: { attemptId: string; at: number; pid: number | null }[] = [];
  readonly reports: AttemptReport[] = [];
  readonly #waiters = new Map<string, ((r: AttemptReport) => void)[]>();
  readonly #startWaiters = new Map<string, (() => void)[]>();

  started(attemptId: string, at: number, pid: number | null): void {
    this.started_.push({ attemptId, at, pid });
    for (const w of this.#startWaiters.get(attemptId) ?? []) w();
    this.#startWaiters.delete(attemptId);
  }

  finished(report: AttemptReport): void {
    this.reports.push(report);
    for (const w of this.#waiters.get(report.attemptId) ?? []) w(report);
    this.#waiters.delete(report.attemptId);
  }

  finishedOf(attemptId: string): Promise<AttemptReport> {
    const done = this.reports.find((r) => r.attemptId === attemptId);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => {
      this.#waiters.set(attemptId, [...(this.#waiters.get(attemptId) ?? []), resolve]);
    });
  }

  startedOf(attemptId: string): Promise<void> {
    if (this.started_.some((s) => s.attemptId === attemptId)) return Promise.resolve();
    return new Promise((resolve) => {
      this.#startWaiters.set(attemptId, [...(this.#startWaiters.get(attemptId) ?? []), resolve]);
    });
  }

  all(requests: AttemptRequest[]): Promise<AttemptReport[]> {
    return Promise.all(requests.map((r) => this.finishedOf(r.attemptId)));
  }
}
