/**
 * Pools (docs/api.md#backfills-and-pools): GET /api/v1/pools (polled), PATCH /api/v1/pools/{name} (op and admin).
 * Types from the generated ./schema.d.ts (docs/openapi.json).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { components } from "./schema";
import { api, enc } from "./client";

export type Pool = components["schemas"]["Pool"];
export type PoolHolder = Pool["holders"][number];

export const poolKeys = { all: ["pools"] as const };

/** Slots change with every task that starts or ends: poll as the workers page does. */
export const POOLS_POLL_MS = 3_000;

export function usePools() {
  return useQuery({
    queryKey: poolKeys.all,
    queryFn: ({ signal }) => api.get<{ pools: Pool[] }>("/pools", signal),
    select: (d) => d.pools,
    refetchInterval: POOLS_POLL_MS,
  });
}

export function useUpdatePool() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ name, ...body }: { name: string; slots?: number; description?: string }) => api.patch<Pool>(`/pools/${enc(name)}`, body),
    onSettled: () => void qc.invalidateQueries({ queryKey: poolKeys.all }),
  });
}
