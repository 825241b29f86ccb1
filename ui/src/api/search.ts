/**
 * Global search (docs/ui.md#search-and-navigation): GET /api/v1/search, what the ⌘K palette shows.
 * Types from the generated ./schema.d.ts (docs/openapi.json).
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { paths } from "./schema";
import { api, qs } from "./client";

export type SearchResults = paths["/api/v1/search"]["get"]["responses"][200]["content"]["application/json"];
export type DagHit = SearchResults["dags"][number];
export type RunHit = SearchResults["runs"][number];
export type TaskHit = SearchResults["tasks"][number];
export type DatasetHit = SearchResults["datasets"][number];

/** Hits for `q` (already debounced by the caller); idle while `q` is blank. */
export function useSearch(q: string, limit = 6) {
  const text = q.trim();
  return useQuery({
    queryKey: ["search", text, limit],
    queryFn: ({ signal }) => api.get<SearchResults>(`/search${qs({ q: text, limit })}`, signal),
    enabled: text !== "",
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}
