import type { Clock } from "../core/ports/clock.js";
import type { DagRunsGateway } from "../core/ports/dag-runs-gateway.js";
import type { InfraErrors } from "../core/ports/infra-errors.js";
import type { Logger } from "../core/ports/logger.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";

/** How {@link LocalProcessExecutor} (local-process-executor.ts) runs its pool of warm task-runner processes. */
export interface LocalProcessExecutorOptions {
  /**
   * Warm task-runner processes. Default: os.availableParallelism(). 0: none — capacity 0, the
   * executor only runs callback functions (`--workers 0`: attempts go to remote workers).
   */
  processes?: number;
  /** Attempts handed to one process at a time (one runs, the rest wait in it). Default 4. */
  prefetch?: number;
  /** The task-runner entry (compiled JS). Default: task-runner/main.js beside this module. */
  runnerEntry?: string;
  /** Between SIGTERM and SIGKILL when an attempt is stopped. Default 5000 ms. */
  killGraceMs?: number;
  /** Node flags for the children, e.g. `["--max-old-space-size=512"]`. Default none. */
  execArgv?: string[];
  logger?: Logger;
  clock?: Clock;
  /**
   * Answers the tasks' `ctx.connection()` and `ctx.variable()` (children ask over IPC; only
   * this process holds the key). Without it those calls reject with a clear error.
   */
  secrets?: SecretsResolver;
  /**
   * Answers the cross-DAG operators (`triggerDag`, `externalTaskSensor`): children ask over IPC;
   * only this process holds the store. Without it those operators fail with a clear error.
   */
  dagRuns?: DagRunsGateway;
  /** Told of infrastructure failures (attempt logs not writable, children not starting); `/health` shows the last. */
  infraErrors?: InfraErrors;
  /** Callback functions running at once, each in a fresh child process (docs/alerts.md). Default 2. */
  callbackProcesses?: number;
  /**
   * Per-attempt answers, used instead of `secrets` and `dagRuns`: called with the id of the
   * attempt that asks (`baton worker` forwards the question, naming the attempt, to the API server).
   */
  resolversFor?: (attemptId: string) => { secrets: SecretsResolver; dagRuns: DagRunsGateway };
  /**
   * Told, during {@link LocalProcessExecutor.shutdown}, of attempts dropped without a report because
   * they never started (`baton worker` hands them back to the server).
   */
  unstartedAtShutdown?: (attemptIds: string[]) => void;
  /**
   * Told of attempts {@link LocalProcessExecutor.giveBack} took back before they started: dropped
   * without a report (`baton worker` hands them back to the server).
   */
  givenBack?: (attemptIds: string[]) => void;
}
