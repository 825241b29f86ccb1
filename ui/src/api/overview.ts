/**
 * The home page's answer to "is everything OK?" (docs/ui.md#home): GET /api/v1/overview, polled
 * as often as the Workers page polls (a worker declared lost shows within one poll).
 * Types from the generated ./schema.d.ts (docs/openapi.json).
 */
import { useQuery } from "@tanstack/react-query";
import type { components, paths } from "./schema";
import { api } from "./client";
import { WORKERS_POLL_MS } from "./workers";

export type Overview = paths["/api/v1/overview"]["get"]["responses"][200]["content"]["application/json"];
export type OverviewComponent = components["schemas"]["OverviewComponent"];
export type Level = OverviewComponent["level"];

export const overviewKeys = { all: ["overview"] as const };

export function useOverview() {
  return useQuery({
    queryKey: overviewKeys.all,
    queryFn: ({ signal }) => api.get<Overview>("/overview", signal),
    refetchInterval: WORKERS_POLL_MS,
  });
}
