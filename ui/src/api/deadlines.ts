/**
 * Missed deadlines (docs/deadlines.md): GET /api/v1/deadlines/missed and runs' `deadlineMissed`.
 * Types from the generated ./schema.d.ts (docs/openapi.json).
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import type { paths } from "./schema";
import { api, qs } from "./client";
import type { Run } from "./types";

export type MissedDeadline = MissedDeadlinePage["missed"][number];

export type MissedDeadlinePage = paths["/api/v1/deadlines/missed"]["get"]["responses"][200]["content"]["application/json"];

/** A run as the run lists return it: with `deadlineMissed` once the server knows deadlines. */
export type RunWithDeadline = Run & { deadlineMissed?: boolean };

export function deadlineMissed(run: Run): boolean {
  return (run as RunWithDeadline).deadlineMissed === true;
}

export function useMissedDeadlines(filters: { dagId?: string; since?: string } = {}) {
  return useInfiniteQuery({
    queryKey: ["deadlines", "missed", filters],
    queryFn: ({ signal, pageParam }) => api.get<MissedDeadlinePage>(`/deadlines/missed${qs({ limit: 50, ...filters, cursor: pageParam })}`, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 15_000,
  });
}
