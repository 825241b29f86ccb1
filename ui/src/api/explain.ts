/**
 * "Why isn't it running?" (docs/explain.md): GET …/explain for a DAG, a run or a task instance.
 * Types written by hand until ./schema.d.ts is regenerated from docs/openapi.json.
 */
import { useQuery } from "@tanstack/react-query";
import { api } from "./client";

export interface ExplainReason {
  /** Stable: dag_paused, max_active_runs, pool_full, upstream_waiting, retry_wait… (docs/explain.md). */
  code: string;
  /** The reason in plain words. */
  message: string;
  /** What it was computed from (times ISO 8601 UTC); a run's `task_waiting` has the task's own `reasons`. */
  facts: Record<string, unknown>;
}

export interface Explanation {
  state: string;
  running: boolean;
  reasons: ExplainReason[];
}

const enc = encodeURIComponent;

/**
 * The explanation of a run (taskId null) or of a task instance. Keyed under the run, so a live
 * change of the run or its tasks refetches it; also refreshed every 15 s (retry and poke times,
 * scheduler liveness move with the clock).
 */
export function useExplanation(dagId: string, runId: string, taskId: string | null, mapIndex = -1) {
  const path = taskId === null
    ? `/dags/${enc(dagId)}/runs/${enc(runId)}/explain`
    : `/dags/${enc(dagId)}/runs/${enc(runId)}/tasks/${enc(taskId)}/explain${mapIndex >= 0 ? `?mapIndex=${mapIndex}` : ""}`;
  return useQuery({
    queryKey: ["dag", dagId, "run", runId, "explain", taskId, mapIndex] as const,
    queryFn: ({ signal }) => api.get<Explanation>(path, signal),
    refetchInterval: 15_000,
  });
}
