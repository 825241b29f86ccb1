/**
 * The audit trail (docs/audit.md): GET /api/v1/audit (admins).
 * Types from the generated ./schema.d.ts (docs/openapi.json).
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import type { components, paths } from "./schema";
import { api, qs } from "./client";

export type AuditEntry = components["schemas"]["AuditEntry"];

export type AuditPage = paths["/api/v1/audit"]["get"]["responses"][200]["content"]["application/json"];

export interface AuditFilters {
  actor?: string;
  /** Exact, or a prefix ending in `.*`. */
  action?: string;
  dagId?: string;
  /** ISO 8601 date-times. */
  since?: string;
  until?: string;
}

export function useAudit(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: ["audit", filters],
    queryFn: ({ signal, pageParam }) => api.get<AuditPage>(`/audit${qs({ limit: 50, ...filters, cursor: pageParam })}`, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 15_000,
  });
}
