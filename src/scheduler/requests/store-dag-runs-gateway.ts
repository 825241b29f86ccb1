import { BatonError, NotFoundError } from "../../core/errors.js";
import type { RunRecord } from "../../core/model/records.js";
import type { Clock } from "../../core/ports/clock.js";
import type { CommandInbox } from "../../core/ports/command-inbox.js";
import type { DagRunSummary, DagRunsGateway, TaskInstanceSummary, TriggerRunRequest } from "../../core/ports/dag-runs-gateway.js";
import type { Store } from "../../core/ports/store.js";
import { RunExistsError, triggerRun } from "./trigger-run.js";

export interface StoreDagRunsGatewayDeps {
  /** The store (opened on first use when a function: `dags test` touches the database only if a task asks). */
  store: (Store & CommandInbox) | (() => Promise<Store & CommandInbox>);
  clock: Clock;
  /** Asks the scheduler of this process for a tick, so a triggered or cleared run starts at once. */
  wake?: () => void;
  /** A scheduler heartbeat younger than this counts as alive. Default 30 s. */
  schedulerFreshMs?: number;
  /** How often `resetRun` looks whether the scheduler applied the clear. Default 100 ms. */
  commandPollMs?: number;
  /** How long `resetRun` waits for the scheduler to apply the clear. Default 60 s. */
  commandTimeoutMs?: number;
}

/** The DagRunsGateway on the store: what the executor's process answers to tasks. */
export class StoreDagRunsGateway implements DagRunsGateway {
  #store: Promise<Store & CommandInbox> | null = null;

  constructor(private readonly deps: StoreDagRunsGatewayDeps) {}

  async triggerRun(dagId: string, req: TriggerRunRequest): Promise<{ run: DagRunSummary; created: boolean }> {
    const store = await this.#open();
    try {
      const run = await triggerRun(store, dagId, req, this.deps.clock.now());
      this.deps.wake?.();
      return { run: summary(run), created: true };
    } catch (e) {
      if (!(e instanceof RunExistsError) || req.runId === undefined) throw e;
      const existing = await store.getRun(dagId, req.runId);
      if (existing === undefined) throw e;
      return { run: summary(existing), created: false };
    }
  }

  async resetRun(dagId: string, runId: string): Promise<DagRunSummary> {
    const store = await this.#open();
    if ((await store.getRun(dagId, runId)) === undefined) throw new NotFoundError(`DAG ${dagId} has no run "${runId}"`);
    const cmd = await store.enqueueCommand("clear_run", { dagId, runId, onlyFailed: false }, "triggerDag", this.deps.clock.now());
    this.deps.wake?.();
    const deadline = this.deps.clock.now() + (this.deps.commandTimeoutMs ?? 60_000);
    for (;;) {
      const applied = await store.getCommand(cmd.id);
      if (applied?.appliedAt != null) {
        if (!applied.result?.startsWith("ok")) throw new BatonError(`could not clear run ${runId} of DAG ${dagId}: ${applied.result}`);
        return summary((await store.getRun(dagId, runId))!);
      }
      if (this.deps.clock.now() >= deadline) {
        throw new BatonError(`run ${runId} of DAG ${dagId} was not cleared: no scheduler applied the request (command ${cmd.id}) in time`);
      }
      await new Promise<void>((resolve) => this.deps.clock.setTimer(this.deps.commandPollMs ?? 100, resolve));
    }
  }

  async getRun(dagId: string, runId: string): Promise<DagRunSummary | null> {
    const run = await (await this.#open()).getRun(dagId, runId);
    return run === undefined ? null : summary(run);
  }

  async findRuns(dagId: string, logicalDate: number): Promise<DagRunSummary[]> {
    const runs = await (await this.#open()).listRuns({ dagId, logicalDateFrom: logicalDate, logicalDateTo: logicalDate, limit: 100 });
    return runs.sort((a, b) => b.id - a.id).map(summary);
  }

  async taskStates(dagId: string, runId: string, taskIds?: string[]): Promise<TaskInstanceSummary[]> {
    const store = await this.#open();
    const run = await store.getRun(dagId, runId);
    if (run === undefined) throw new NotFoundError(`DAG ${dagId} has no run "${runId}"`);
    const wanted = taskIds === undefined ? null : new Set(taskIds);
    return (await store.listTaskInstances(run.id))
      .filter((ti) => wanted === null || wanted.has(ti.taskId))
      .map((ti) => ({ taskId: ti.taskId, mapIndex: ti.mapIndex, state: ti.state }));
  }

  async describeDag(dagId: string): Promise<{ taskIds: string[]; paused: boolean } | null> {
    const store = await this.#open();
    const dag = await store.getDag(dagId);
    const version = dag?.active ? await store.getDagVersion(dag.latestVersion) : undefined;
    if (dag === undefined || version === undefined) return null;
    return { taskIds: version.spec.tasks.map((t) => t.taskId), paused: dag.paused };
  }

  async schedulerAlive(): Promise<boolean> {
    const now = this.deps.clock.now();
    const fresh = this.deps.schedulerFreshMs ?? 30_000;
    return (await (await this.#open()).listHeartbeats("scheduler")).some((hb) => now - hb.at <= fresh);
  }

  #open(): Promise<Store & CommandInbox> {
    const { store } = this.deps;
    return (this.#store ??= typeof store === "function" ? store() : Promise.resolve(store));
  }
}

function summary(run: RunRecord): DagRunSummary {
  const { dagId, runId, runType, state, logicalDate, startedAt, endedAt, note, createdAt } = run;
  return { dagId, runId, runType, state, logicalDate, startedAt, endedAt, note, createdAt };
}
