/**
 * Remote workers and worker tokens (docs/workers.md#tokens-and-the-workers-page):
 * GET /api/v1/workers (polled), GET/POST /api/v1/worker-tokens, DELETE /api/v1/worker-tokens/{id} (admins).
 * Types from the generated ./schema.d.ts (docs/openapi.json).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { components, paths } from "./schema";
import { api, enc } from "./client";

export type WorkersOverview = paths["/api/v1/workers"]["get"]["responses"][200]["content"]["application/json"];
export type Worker = components["schemas"]["Worker"];
export type WorkerAttempt = components["schemas"]["WorkerAttempt"];
export type WorkerState = Worker["state"];
export type QueueDepth = WorkersOverview["queues"][number];
export type WorkerToken = components["schemas"]["WorkerToken"];
export type CreatedWorkerToken = paths["/api/v1/worker-tokens"]["post"]["responses"][201]["content"]["application/json"];

export const workerKeys = {
  /** Also invalidated by live task events (use-live-events.ts): an attempt starting or ending changes a worker's load. */
  workers: ["workers"] as const,
  tokens: ["worker-tokens"] as const,
};

/** Workers' heartbeats arrive every few seconds; the page polls as often as the worker is declared lost is worth knowing. */
export const WORKERS_POLL_MS = 3_000;

export function useWorkers() {
  return useQuery({
    queryKey: workerKeys.workers,
    queryFn: ({ signal }) => api.get<WorkersOverview>("/workers", signal),
    refetchInterval: WORKERS_POLL_MS,
  });
}

/** Admins only (the page shows the section to admins). */
export function useWorkerTokens() {
  return useQuery({
    queryKey: workerKeys.tokens,
    queryFn: ({ signal }) => api.get<{ tokens: WorkerToken[] }>("/worker-tokens", signal),
    select: (d) => d.tokens,
    refetchInterval: 10_000,
  });
}

export function useCreateWorkerToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; queues?: string[] }) => api.post<CreatedWorkerToken>("/worker-tokens", body),
    onSettled: () => void qc.invalidateQueries({ queryKey: workerKeys.tokens }),
  });
}

export function useRevokeWorkerToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del<void>(`/worker-tokens/${enc(id)}`),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: workerKeys.tokens });
      void qc.invalidateQueries({ queryKey: workerKeys.workers });
    },
  });
}
