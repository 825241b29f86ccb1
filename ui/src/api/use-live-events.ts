/**
 * Subscribes to `GET /api/v1/events` and keeps the cache fresh without refetching everything:
 * a task event patches its grid cell in place, then the affected DAG/run queries are
 * invalidated in one batch (at most every 750 ms). Returns the connection status for the header.
 */
import { useEffect, useState } from "react";
import { useQueryClient, type InfiniteData, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { API_BASE } from "./client";
import { keys } from "./keys";
import { takeSeededKeys } from "./seed-first-data";
import { workerKeys } from "./workers";
import type { ChangeEvent, Grid, TaskState } from "./types";

export type LiveStatus = "connecting" | "live" | "offline";

const FLUSH_MS = 750;

export function useLiveEvents(enabled: boolean): LiveStatus {
  const qc = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");

  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") return;
    const pending = new Map<string, QueryKey>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      for (const queryKey of pending.values()) void qc.invalidateQueries({ queryKey });
      pending.clear();
    };
    const queue = (...ks: QueryKey[]) => {
      for (const k of ks) pending.set(JSON.stringify(k), k);
      timer ??= setTimeout(flush, FLUSH_MS);
    };

    const source = new EventSource(`${API_BASE}/events`, { withCredentials: true });
    source.onopen = () => {
      setStatus("live");
      // What the page drew from its index.html may have changed before the stream started: read
      // again once the page has drawn (idle), not while it is still rendering its first content.
      const seeded = takeSeededKeys();
      if (seeded.length > 0)
        afterFirstDraw(() => {
          for (const queryKey of seeded) void qc.invalidateQueries({ queryKey, exact: true });
        });
    };
    source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? "offline" : "connecting");
    source.addEventListener("change", (msg: MessageEvent<string>) => {
      let ev: ChangeEvent;
      try {
        ev = JSON.parse(msg.data) as ChangeEvent;
      } catch {
        return;
      }
      queue(...keysFor(qc, ev));
    });
    return () => {
      source.close();
      if (timer) clearTimeout(timer);
    };
  }, [enabled, qc]);

  return enabled ? status : "offline";
}

function afterFirstDraw(fn: () => void): void {
  if (typeof requestIdleCallback === "function") requestIdleCallback(fn, { timeout: 2_000 });
  else setTimeout(fn, 500);
}

function keysFor(qc: QueryClient, ev: ChangeEvent): QueryKey[] {
  const { dagId, runId, taskId } = ev;
  switch (ev.kind) {
    case "dag":
      return [keys.dagLists, keys.importErrors, keys.detail(dagId), ["dag", dagId, "source", "latest"]];
    case "run":
      return [keys.dagLists, keys.grids(dagId), keys.runLists(dagId), ...(runId ? [keys.run(dagId, runId)] : [])];
    case "task":
      if (runId && taskId && ev.state) patchGridCell(qc, dagId, runId, taskId, ev.state as TaskState);
      return [
        keys.grids(dagId),
        // An attempt starting or ending on a remote worker changes the Workers page.
        workerKeys.workers,
        ...(runId ? [keys.taskInstances(dagId, runId)] : []),
        ...(runId && taskId ? [keys.taskInstance(dagId, runId, taskId)] : []),
      ];
    default:
      return [];
  }
}

/** Applies a task's new state to every cached grid page holding that run. */
function patchGridCell(qc: QueryClient, dagId: string, runId: string, taskId: string, state: TaskState): void {
  qc.setQueriesData<InfiniteData<Grid>>({ queryKey: keys.grids(dagId) }, (old) => {
    if (!old) return old;
    let changed = false;
    const pages = old.pages.map((page) => {
      const col = page.tasks.findIndex((t) => t.taskId === taskId);
      if (col < 0) return page;
      const runs = page.runs.map((r) => {
        const cell = r.tasks[col];
        if (r.runId !== runId || !cell || cell.state === state) return r;
        changed = true;
        const tasks = r.tasks.slice();
        tasks[col] = { ...cell, state };
        return { ...r, tasks };
      });
      return changed ? { ...page, runs } : page;
    });
    return changed ? { ...old, pages } : old;
  });
}
