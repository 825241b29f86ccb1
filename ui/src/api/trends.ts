/**
 * The DAG page's Trends tab (docs/ui.md#trends): GET /api/v1/dags/{dagId}/trends.
 * Local type until ui/src/api/schema.d.ts is regenerated (npm run gen:api), then derive it from `paths`.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "./client";

export interface TrendDay {
  /** Local day in the DAG's time zone, YYYY-MM-DD. */
  date: string;
  success: number;
  failed: number;
  /** Queued or running. */
  other: number;
}

export interface TrendRun {
  runId: string;
  state: "queued" | "running" | "success" | "failed";
  logicalDate: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  landingMs: number | null;
  task: { state: string; tryNumber: number; durationMs: number | null } | null;
}

export interface Trends {
  /** The DAG's time zone: `days`, `firstDay` and `today` are its local days. */
  timeZone: string;
  since: string;
  /** First local day counted, YYYY-MM-DD. */
  firstDay: string;
  /** Today in the DAG's time zone, YYYY-MM-DD. */
  today: string;
  days: TrendDay[];
  tasks: string[];
  runs: TrendRun[];
}

export const trendsKeys = { dag: (dagId: string) => ["trends", dagId] as const };

export function useTrends(dagId: string, opts: { runs: number; task: string | null }) {
  const q = new URLSearchParams({ days: "365", runs: String(opts.runs) });
  if (opts.task) q.set("task", opts.task);
  return useQuery({
    queryKey: [...trendsKeys.dag(dagId), opts.runs, opts.task ?? ""],
    queryFn: ({ signal }) => api.get<Trends>(`/dags/${encodeURIComponent(dagId)}/trends?${q}`, signal),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}
