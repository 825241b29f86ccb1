/**
 * Backfills (docs/api.md#backfills-and-pools): GET /api/v1/backfills (polled while one is active),
 * GET /api/v1/backfills/dry-run, POST /api/v1/backfills, POST /api/v1/backfills/{id}/cancel,
 * POST /api/v1/backfills/{id}/pause and /unpause.
 * Types from the generated ./schema.d.ts (docs/openapi.json).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { components, paths } from "./schema";
import { api, qs } from "./client";

export type Backfill = components["schemas"]["Backfill"];
export type BackfillState = Backfill["state"];
export type BackfillPreview = paths["/api/v1/backfills/dry-run"]["get"]["responses"][200]["content"]["application/json"];
export type BackfillBody = paths["/api/v1/backfills"]["post"]["requestBody"]["content"]["application/json"];

export const backfillKeys = {
  all: ["backfills"] as const,
  list: (dagId: string | null) => ["backfills", "list", dagId] as const,
  preview: (q: Record<string, string | number | boolean | undefined>) => ["backfills", "dry-run", q] as const,
};

/** While a backfill is queued or running its progress moves: poll quickly; otherwise slowly. */
const ACTIVE_POLL_MS = 1_500;
const IDLE_POLL_MS = 15_000;

export function useBackfills(dagId: string | null) {
  return useQuery({
    queryKey: backfillKeys.list(dagId),
    queryFn: ({ signal }) => api.get<{ backfills: Backfill[] }>(`/backfills${qs({ dagId })}`, signal),
    select: (d) => d.backfills,
    refetchInterval: (q) => (q.state.data?.backfills.some((b) => b.state === "queued" || b.state === "running") ? ACTIVE_POLL_MS : IDLE_POLL_MS),
  });
}

/** The dry run; `enabled` once the form has a range. */
export function useBackfillPreview(q: { dagId: string; from: string; to: string; reprocess: string; maxActiveRuns?: number }, enabled: boolean) {
  const params = { dagId: q.dagId, from: q.from, to: q.to, reprocess: q.reprocess, maxActiveRuns: q.maxActiveRuns };
  return useQuery({
    queryKey: backfillKeys.preview(params),
    queryFn: ({ signal }) => api.get<BackfillPreview>(`/backfills/dry-run${qs(params)}`, signal),
    enabled,
    retry: false,
  });
}

export function useCreateBackfill() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: BackfillBody) => api.post<Backfill>("/backfills", body),
    onSettled: () => void qc.invalidateQueries({ queryKey: backfillKeys.all }),
  });
}

export function useCancelBackfill() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post<unknown>(`/backfills/${id}/cancel`),
    onSettled: () => void qc.invalidateQueries({ queryKey: backfillKeys.all }),
  });
}

/** Pauses (the scheduler starts none of its queued runs) or unpauses a backfill; answers the Backfill. */
export function usePauseBackfill() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, paused }: { id: number; paused: boolean }) => api.post<Backfill>(`/backfills/${id}/${paused ? "pause" : "unpause"}`),
    onSettled: () => void qc.invalidateQueries({ queryKey: backfillKeys.all }),
  });
}
