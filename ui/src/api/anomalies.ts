/**
 * Anomalies in tasks' run history (docs/anomalies.md): GET /api/v1/anomalies and /api/v1/anomalies/counts.
 * Types from the generated ./schema.d.ts (docs/openapi.json).
 */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { paths } from "./schema";
import { api, qs } from "./client";

export type Anomaly = AnomalyPage["anomalies"][number];

export type AnomalyPage = paths["/api/v1/anomalies"]["get"]["responses"][200]["content"]["application/json"];

export type AnomalyCounts = paths["/api/v1/anomalies/counts"]["get"]["responses"][200]["content"]["application/json"];

export function useAnomalies(filters: { dagId?: string; since?: string } = {}) {
  return useInfiniteQuery({
    queryKey: ["anomalies", "list", filters],
    queryFn: ({ signal, pageParam }) => api.get<AnomalyPage>(`/anomalies${qs({ limit: 50, ...filters, cursor: pageParam })}`, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 30_000,
  });
}

export const anomalyCountsKey = ["anomalies", "counts"] as const;

/** Anomalies per DAG over the last 7 days (the nav badge). */
export function useAnomalyCounts() {
  return useQuery({
    queryKey: anomalyCountsKey,
    queryFn: ({ signal }) => api.get<AnomalyCounts>("/anomalies/counts", signal),
    refetchInterval: 60_000,
  });
}
