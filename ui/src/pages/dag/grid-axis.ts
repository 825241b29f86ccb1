/**
 * The grid's time axis: each run's date (its logical date; a manual run's start time), the day
 * written only where it changes from the column on the left, the full timestamp for the title.
 */
import type { GridRun } from "../../api/types";
import { fmtDate } from "../../lib/format";

export interface RunAxis {
  /** ISO time the column stands for, null when the run has neither date. */
  at: string | null;
  /** "Jan 3" on the first column and where the local day changes, else null. */
  day: string | null;
  /** "06:00" (24 h), "" when `day` is shown and the time is midnight. */
  time: string;
  /** The full local timestamp and what it is ("logical date" / "started"). */
  full: string;
}

const dayFmt = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const dayKey = (d: Date) => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;

/** The date a run's column is placed at: a manual run's start (its logical date is only when it was asked for), else its logical date. */
export function runAxisDate(r: Pick<GridRun, "runType" | "logicalDate" | "startedAt">): { at: string | null; kind: "logical date" | "started" | "" } {
  if (r.runType === "manual" && r.startedAt) return { at: r.startedAt, kind: "started" };
  if (r.logicalDate) return { at: r.logicalDate, kind: "logical date" };
  return r.startedAt ? { at: r.startedAt, kind: "started" } : { at: null, kind: "" };
}

export function buildAxis(runs: readonly GridRun[]): RunAxis[] {
  let prev: string | null = null;
  return runs.map((r) => {
    const { at, kind } = runAxisDate(r);
    const d = at ? new Date(at) : null;
    if (!d || Number.isNaN(d.getTime())) {
      prev = null;
      return { at: null, day: null, time: "", full: "no date yet" };
    }
    const key = dayKey(d);
    const day = key === prev ? null : dayFmt.format(d);
    prev = key;
    const t = timeFmt.format(d);
    return { at, day, time: day !== null && d.getHours() === 0 && d.getMinutes() === 0 ? "" : t, full: `${kind} ${fmtDate(at)}` };
  });
}
