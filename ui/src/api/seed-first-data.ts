/**
 * Seeds the query cache with the answers the server inlined in index.html (boot/first-data.ts), under
 * the keys the hooks that read them use, so the opened page renders its content on the first
 * render, without a request (docs/ui.md, "First load").
 */
import type { QueryClient, QueryKey } from "@tanstack/react-query";
import type { FirstData } from "../boot/first-data";
import { awaitCsrfToken, request, setCsrfToken } from "./client";
import { anomalyCountsKey } from "./anomalies";
import { keys } from "./keys";
import { overviewKeys } from "./overview";
import type { Me } from "./types";

let seeded: QueryKey[] = [];

/**
 * The keys seeded from the first data, once: the live updates (use-live-events.ts) read them again
 * when their stream opens, since a change made between the server's answer and the stream's start
 * reaches no one.
 */
export function takeSeededKeys(): QueryKey[] {
  const out = seeded;
  seeded = [];
  return out;
}

export function seedFirstData(qc: QueryClient, data: FirstData): void {
  const now = Date.now();
  const set = (key: QueryKey, value: unknown) => {
    qc.setQueryData(key, value, { updatedAt: now });
    seeded.push(key);
  };
  for (const [path, body] of data) {
    if (path === "/auth/me") {
      const me = body as Me;
      qc.setQueryData<Me>(keys.me, me, { updatedAt: now });
      // The page carries no CSRF token: a signed-in session reads /auth/me now, and mutations
      // wait for it (client.ts); if the session has ended meanwhile, the shell shows sign-in.
      if (me.authRequired) {
        awaitCsrfToken(
          request<Me>("GET", "/auth/me", { quiet401: true }).then(
            (fresh) => {
              setCsrfToken(fresh.csrfToken ?? null);
              qc.setQueryData<Me>(keys.me, fresh);
            },
            () => qc.invalidateQueries({ queryKey: keys.me }),
          ),
        );
      }
    } else if (path === "/anomalies/counts") set(anomalyCountsKey, body);
    else if (path === "/overview") set(overviewKeys.all, body);
    else {
      const grid = /^\/dags\/([^/?]+)\/grid\?limit=(\d+)$/.exec(path);
      const detail = /^\/dags\/([^/?]+)$/.exec(path);
      if (grid?.[1] && grid[2]) set(keys.grid(decodeURIComponent(grid[1]), Number(grid[2])), { pages: [body], pageParams: [null] });
      else if (detail?.[1]) set(keys.detail(decodeURIComponent(detail[1])), body);
    }
  }
}
