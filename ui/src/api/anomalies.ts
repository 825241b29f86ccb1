/**
 * Anomalies in tasks' run history (docs/anomalies.md): GET /api/v1/anomalies and /api/v1/anomalies/counts.
 * Types written by hand until ./schema.d.ts is regenerated from docs/openapi.json.
 */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, qs } from "./client";

export interface Anomaly {
  id: number;
  dagId: string;
  runId: string;
  /** null for a late run (run-level). */
  taskId: string | null;
  mapIndex: number;
  tryNumber: number;
  /** `duration` (seconds), a `ctx.metric` name, or `landing` (a late run: seconds after its data interval end). */
  metric: string;
  value: number;
  baseline: { median: number; mad: number; points: number; season: "none" | "hour_of_week" | "weekday" | "hour_of_day" };
  /** Robust z-score. */
  score: number;
  detectedAt: string | null;
}

export interface AnomalyPage {
  anomalies: Anomaly[];
  nextCursor: string | null;
}

export interface AnomalyCounts {
  since: string | null;
  total: number;
  counts: Record<string, number>;
}

export function useAnomalies(filters: { dagId?: string; since?: string } = {}) {
  return useInfiniteQuery({
    queryKey: ["anomalies", "list", filters],
    queryFn: ({ signal, pageParam }) => api.get<AnomalyPage>(`/anomalies${qs({ limit: 50, ...filters, cursor: pageParam })}`, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 30_000,
  });
}

/** Anomalies per DAG over the last 7 days (the nav badge). */
export function useAnomalyCounts() {
  return useQuery({
    queryKey: ["anomalies", "counts"],
    queryFn: ({ signal }) => api.get<AnomalyCounts>("/anomalies/counts", signal),
    refetchInterval: 60_000,
  });
}
