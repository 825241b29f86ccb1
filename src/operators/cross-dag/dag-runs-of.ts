import { BatonError } from "../../core/errors.js";
import { DAG_RUNS_GATEWAY, type DagRunsGateway } from "../../core/ports/dag-runs-gateway.js";
import type { TaskContext } from "../../sdk/context.js";

/**
 * The runs of other DAGs as the executor offers them to this attempt (see
 * core/ports/dag-runs-gateway.ts). Fails the attempt with a clear error where there are none.
 */
export function dagRunsOf(ctx: TaskContext<unknown>, operator: string): DagRunsGateway {
  const gateway = (ctx as unknown as Partial<Record<typeof DAG_RUNS_GATEWAY, DagRunsGateway>>)[DAG_RUNS_GATEWAY];
  if (gateway === undefined) {
    throw new BatonError(`${operator}: runs of other DAGs are not available here: the executor was started without a DAG runs gateway`);
  }
  return gateway;
}

/** Resolves after `ms`, or rejects when the attempt is aborted. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const onAbort = () => (clearTimeout(timer), reject(signal.reason));
    const timer = setTimeout(() => (signal.removeEventListener("abort", onAbort), resolve()), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
