/**
 * The grid's rows: tasks, with tasks that share an id prefix (`group.task`, or `prefix_…` when
 * at least two tasks share it) gathered under one group row that can be collapsed. The DAG spec
 * has no task groups of its own, so the id is the only grouping there is.
 */
import type { GridCell, GridTask } from "../../api/types";

/** Above this many tasks, groups start collapsed. */
export const COLLAPSE_ABOVE = 30;

export interface TaskRow {
  kind: "task";
  key: string;
  task: GridTask;
  taskIndex: number;
  group: string | null;
}
export interface GroupRow {
  kind: "group";
  key: string;
  group: string;
  members: number[];
  expanded: boolean;
}
export type GridRow = TaskRow | GroupRow;

/** The prefix a task id would be grouped under: before the first `.`, else before the first `_`. */
export function idPrefix(taskId: string): string | null {
  const dot = taskId.indexOf(".");
  if (dot > 0) return taskId.slice(0, dot);
  const us = taskId.indexOf("_");
  return us > 0 ? taskId.slice(0, us) : null;
}

/** Groups of two or more tasks, keyed by prefix, members as task indexes in task order. */
export function taskGroups(tasks: GridTask[]): Map<string, number[]> {
  const all = new Map<string, number[]>();
  tasks.forEach((t, i) => {
    const p = idPrefix(t.taskId);
    if (p !== null) all.set(p, [...(all.get(p) ?? []), i]);
  });
  for (const [p, members] of all) if (members.length < 2) all.delete(p);
  return all;
}

/** A key no task id can have (ids never contain a space). */
export const groupKey = (group: string): string => `group ${group}`;

/** Visible rows: a group row where the group's first task stands, its members under it when expanded. */
export function buildRows(tasks: GridTask[], groups: Map<string, number[]>, collapsed: ReadonlySet<string>): GridRow[] {
  const groupOf = new Map<number, string>();
  for (const [g, members] of groups) for (const m of members) groupOf.set(m, g);
  const rows: GridRow[] = [];
  const emitted = new Set<string>();
  tasks.forEach((task, taskIndex) => {
    const group = groupOf.get(taskIndex) ?? null;
    if (group === null) {
      rows.push({ kind: "task", key: task.taskId, task, taskIndex, group });
      return;
    }
    if (emitted.has(group)) return;
    emitted.add(group);
    const members = groups.get(group)!;
    const expanded = !collapsed.has(group);
    rows.push({ kind: "group", key: groupKey(group), group, members, expanded });
    if (expanded) for (const m of members) rows.push({ kind: "task", key: tasks[m]!.taskId, task: tasks[m]!, taskIndex: m, group });
  });
  return rows;
}

// What a collapsed group shows: the state that most needs attention, as Airflow's grid does.
const PRIORITY = [
  "failed",
  "upstream_failed",
  "up_for_retry",
  "up_for_reschedule",
  "running",
  "deferred",
  "queued",
  "scheduled",
  "none",
  "success",
  "skipped",
  "removed",
];

export interface GroupCell {
  state: string;
  tryNumber: number;
  retried: number;
  count: number;
}

/** One state for a group in one run: the most urgent member state; `retried` counts members past try 1. */
export function aggregateCell(cells: readonly (GridCell | null | undefined)[]): GroupCell {
  let best = PRIORITY.length;
  let tryNumber = 0,
    retried = 0,
    count = 0;
  for (const c of cells) {
    if (!c) continue;
    count++;
    const p = PRIORITY.indexOf(c.state);
    if (p >= 0 && p < best) best = p;
    if (c.tryNumber > tryNumber) tryNumber = c.tryNumber;
    if (c.tryNumber > 1) retried++;
  }
  // All members skipped or removed stays so; a mix of success and skipped reads as success.
  return { state: PRIORITY[best] ?? "none", tryNumber, retried, count };
}
