/**
 * "Why isn't it running?" (docs/explain.md): GET …/explain for a DAG, a run or a task instance.
 * Types from the generated ./schema.d.ts (docs/openapi.json).
 */
import { useQuery } from "@tanstack/react-query";
import type { components } from "./schema";
import { api } from "./client";

export type ExplainReason = Explanation["reasons"][number];

export type Explanation = components["schemas"]["Explanation"];

const enc = encodeURIComponent;

/**
 * The explanation of a run (taskId null) or of a task instance. Keyed under the run, so a live
 * change of the run or its tasks refetches it; also refreshed every 15 s (retry and poke times,
 * scheduler liveness move with the clock).
 */
export function useExplanation(dagId: string, runId: string, taskId: string | null, mapIndex = -1) {
  const path =
    taskId === null
      ? `/dags/${enc(dagId)}/runs/${enc(runId)}/explain`
      : `/dags/${enc(dagId)}/runs/${enc(runId)}/tasks/${enc(taskId)}/explain${mapIndex >= 0 ? `?mapIndex=${mapIndex}` : ""}`;
  return useQuery({
    queryKey: ["dag", dagId, "run", runId, "explain", taskId, mapIndex] as const,
    queryFn: ({ signal }) => api.get<Explanation>(path, signal),
    refetchInterval: 15_000,
  });
}
