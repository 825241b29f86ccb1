/**
 * The audit trail (docs/audit.md): GET /api/v1/audit (admins).
 * Types written by hand until ./schema.d.ts is regenerated from docs/openapi.json.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { api, qs } from "./client";

export interface AuditEntry {
  id: number;
  at: string;
  /** A username, `local`, `cli:<os user>` or `webhook`; for logins the name typed. */
  actor: string;
  via: "session" | "token" | "local" | "cli" | "webhook" | "login";
  tokenId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  dagId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  details: Record<string, unknown> | null;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

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
