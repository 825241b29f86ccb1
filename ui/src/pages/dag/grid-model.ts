/** Flattens the pages of `GET /dags/:id/grid` into one task list and one run list (newest first). */
import type { Grid, GridCell, GridRun, GridTask } from "../../api/types";
import { buildAxis, type RunAxis } from "./grid-axis";

export interface GridModel {
  tasks: GridTask[];
  /** Runs with `tasks` re-aligned to `model.tasks` order (a missing cell is state "none"). */
  runs: GridRun[];
  maxDurationMs: number;
  /** Each run's date on the axis, aligned with `runs`. */
  axis: RunAxis[];
}

const EMPTY: GridCell = { state: "none", tryNumber: 0 };

export function buildGridModel(pages: Grid[] | undefined, now = Date.now()): GridModel {
  if (!pages || pages.length === 0) return { tasks: [], runs: [], maxDurationMs: 0, axis: [] };
  const tasks: GridTask[] = [...(pages[0]?.tasks ?? [])];
  const index = new Map(tasks.map((t, i) => [t.taskId, i]));
  for (const p of pages)
    for (const t of p.tasks)
      if (!index.has(t.taskId)) {
        index.set(t.taskId, tasks.length);
        tasks.push(t);
      }
  const runs: GridRun[] = [];
  const seen = new Set<string>();
  let maxDurationMs = 0;
  for (const p of pages) {
    const same = p.tasks.length === tasks.length && p.tasks.every((t, i) => tasks[i]?.taskId === t.taskId);
    for (const r of p.runs) {
      if (seen.has(r.runId)) continue;
      seen.add(r.runId);
      let cells = r.tasks;
      if (!same) {
        cells = tasks.map(() => EMPTY);
        p.tasks.forEach((t, i) => {
          cells[index.get(t.taskId)!] = r.tasks[i] ?? EMPTY;
        });
      }
      runs.push(cells === r.tasks ? r : { ...r, tasks: cells });
      const d = runDurationMs(r, now);
      if (d !== null && d > maxDurationMs) maxDurationMs = d;
    }
  }
  return { tasks, runs, maxDurationMs, axis: buildAxis(runs) };
}

export function runDurationMs(r: { startedAt: string | null; endedAt: string | null }, now = Date.now()): number | null {
  if (!r.startedAt) return null;
  return Math.max(0, (r.endedAt ? Date.parse(r.endedAt) : now) - Date.parse(r.startedAt));
}
