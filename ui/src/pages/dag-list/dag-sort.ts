/**
 * The DAG list's sort and "failing" filter, kept in the URL (`?sort=lastRun&order=desc&failing=1`)
 * so they survive a reload and can be linked. Sorting is done on the list the page fetched.
 */
import type { DagSummary, RunState } from "../../api/types";

/** The newest run with its times (`DagSummary.lastRun`). */
export type LastRun = NonNullable<DagSummary["lastRun"]>;

export function lastRunOf(d: DagSummary): LastRun | null {
  return d.lastRun;
}

/** When the last run happened: its end, else its start, else its logical date. */
export function lastRunTime(r: LastRun | null): string | null {
  return r ? (r.endedAt ?? r.startedAt ?? r.logicalDate) : null;
}

export const SORT_KEYS = ["dagId", "owner", "schedule", "nextRun", "lastRun", "lastState"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortOrder = "asc" | "desc";

export interface ListView {
  sort: SortKey;
  order: SortOrder;
  failing: boolean;
}

/** Reads the view from the query string; unknown values fall back to the default (by id, ascending). */
export function readListView(sp: URLSearchParams): ListView {
  const sort = sp.get("sort") as SortKey | null;
  return {
    sort: sort && SORT_KEYS.includes(sort) ? sort : "dagId",
    order: sp.get("order") === "desc" ? "desc" : "asc",
    failing: sp.get("failing") === "1",
  };
}

/** The query-string patch for clicking a column header: the same column flips the order, another starts with its natural one. */
export function sortPatch(view: ListView, key: SortKey): Record<string, string | null> {
  const order: SortOrder = view.sort === key ? (view.order === "asc" ? "desc" : "asc") : FIRST_ORDER[key];
  return { sort: key === "dagId" && order === "asc" ? null : key, order: order === "asc" ? null : order };
}

/** Newest last run and failures first feel natural; names and next runs ascending. */
const FIRST_ORDER: Record<SortKey, SortOrder> = { dagId: "asc", owner: "asc", schedule: "asc", nextRun: "asc", lastRun: "desc", lastState: "asc" };

/** Failed first, then running, queued, success; DAGs without runs at the end. */
const STATE_RANK: Record<RunState, number> = { failed: 0, running: 1, queued: 2, success: 3 };

function keyOf(d: DagSummary, key: SortKey): string | number | null {
  switch (key) {
    case "dagId":
      return d.dagId;
    case "owner":
      return d.owner?.toLowerCase() ?? null;
    case "schedule":
      return d.schedule;
    case "nextRun":
      return d.nextRunAfter && !d.paused ? Date.parse(d.nextRunAfter) : null;
    case "lastRun": {
      const t = lastRunTime(lastRunOf(d));
      return t ? Date.parse(t) : null;
    }
    case "lastState": {
      const r = lastRunOf(d);
      return r ? STATE_RANK[r.state] : null;
    }
  }
}

/** The DAGs to show: failing ones only when asked, sorted; missing values last either way, ties by id. */
export function applyListView(dags: DagSummary[], view: ListView): DagSummary[] {
  const shown = view.failing ? dags.filter((d) => lastRunOf(d)?.state === "failed") : [...dags];
  const sign = view.order === "asc" ? 1 : -1;
  return shown.sort((a, b) => {
    const ka = keyOf(a, view.sort);
    const kb = keyOf(b, view.sort);
    if (ka !== kb) {
      if (ka === null) return 1;
      if (kb === null) return -1;
      return (ka < kb ? -1 : 1) * sign;
    }
    return a.dagId < b.dagId ? -1 : a.dagId > b.dagId ? 1 : 0;
  });
}
