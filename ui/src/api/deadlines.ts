/**
 * Missed deadlines (docs/deadlines.md): GET /api/v1/deadlines/missed and runs' `deadlineMissed`.
 * Types written by hand until ./schema.d.ts is regenerated from docs/openapi.json.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { api, qs } from "./client";
import type { Run } from "./types";

export interface MissedDeadline {
  id: number;
  dagId: string;
  runId: string;
  /** null for a run's deadline. */
  taskId: string | null;
  mapIndex: number;
  /** The late attempt's try; 0 for a run's deadline. */
  tryNumber: number;
  /** `logicalDate + 2h`, `queuedAt + 30m`, `expectedDuration 10m`… */
  deadline: string;
  dueAt: string | null;
  detectedAt: string | null;
}

export interface MissedDeadlinePage {
  missed: MissedDeadline[];
  nextCursor: string | null;
}

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
