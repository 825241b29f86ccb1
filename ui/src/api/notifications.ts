/**
 * Notification deliveries (docs/alerts.md#notifiers): GET /api/v1/notifications.
 * Types from the generated ./schema.d.ts (docs/openapi.json).
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import type { paths } from "./schema";
import { api, qs } from "./client";

export type DeliveryState = "pending" | "delivered" | "failed";

export type NotificationDelivery = NotificationPage["deliveries"][number];

export type NotificationPage = paths["/api/v1/notifications"]["get"]["responses"][200]["content"]["application/json"];

export function useNotifications(filters: { dagId?: string; state?: DeliveryState } = {}) {
  return useInfiniteQuery({
    queryKey: ["notifications", filters],
    queryFn: ({ signal, pageParam }) => api.get<NotificationPage>(`/notifications${qs({ limit: 50, ...filters, cursor: pageParam })}`, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 15_000,
  });
}
