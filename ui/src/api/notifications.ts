/**
 * Notification deliveries (docs/alerts.md#notifiers): GET /api/v1/notifications.
 * Types written by hand until ./schema.d.ts is regenerated from docs/openapi.json.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { api, qs } from "./client";

export type DeliveryState = "pending" | "delivered" | "failed";

export interface NotificationDelivery {
  id: number;
  notifier: "slack" | "teams" | "pagerduty" | "opsgenie" | "email" | "webhook" | "jira";
  connection: string;
  /** Where it goes, without secrets. */
  target: string;
  dagId: string;
  runId: string;
  taskId: string | null;
  event: string;
  severity: string;
  dedupKey: string;
  summary: string;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  externalRef: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  deliveredAt: string | null;
}

export interface NotificationPage {
  deliveries: NotificationDelivery[];
  nextCursor: string | null;
}

export function useNotifications(filters: { dagId?: string; state?: DeliveryState } = {}) {
  return useInfiniteQuery({
    queryKey: ["notifications", filters],
    queryFn: ({ signal, pageParam }) => api.get<NotificationPage>(`/notifications${qs({ limit: 50, ...filters, cursor: pageParam })}`, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 15_000,
  });
}
