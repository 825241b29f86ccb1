/** Epoch milliseconds (UTC), as in records.ts (not imported: records.ts → dag-spec.ts → here). */
type EpochMs = number;

/**
 * Deadlines (Airflow 3.1's Deadline Alerts): a run that is not finished by `reference + interval`
 * has missed its deadline; an attempt running longer than its task's expected duration has too.
 * Each miss is recorded once (docs/deadlines.md). Pure: no I/O.
 */

/** What a run's deadline counts from. */
export type DeadlineReference =
  /** The run's logical date (a manual run's trigger time). */
  | { kind: "logicalDate" }
  /** The end of the run's data interval (the logical date for runs without one). */
  | { kind: "dataIntervalEnd" }
  /** When the run was created, queued for the scheduler. */
  | { kind: "queuedAt" }
  /** A fixed instant, the same for every run. */
  | { kind: "fixed"; at: EpochMs };

/** One deadline of a DAG, as its spec holds it. */
export interface DeadlineSpec {
  reference: DeadlineReference;
  /** Added to the reference; negative puts the deadline before it (as Airflow allows). */
  intervalMs: number;
}

export const DEADLINE_REFERENCE_KINDS = ["logicalDate", "dataIntervalEnd", "queuedAt"] as const;

/** When a run must be finished by; null when the run has nothing to count from. */
export function runDeadlineDueAt(
  deadline: DeadlineSpec,
  run: { logicalDate: EpochMs | null; dataIntervalEnd: EpochMs | null; createdAt: EpochMs },
): EpochMs | null {
  const ref = deadline.reference;
  const base =
    ref.kind === "fixed"
      ? ref.at
      : ref.kind === "logicalDate"
        ? run.logicalDate
        : ref.kind === "dataIntervalEnd"
          ? (run.dataIntervalEnd ?? run.logicalDate)
          : run.createdAt;
  return base === null ? null : base + deadline.intervalMs;
}

/** Plain words for a deadline: `logicalDate + 2h`, `fixed 2026-01-01T06:00:00.000Z - 1h`, `expectedDuration 10m`. */
export function describeDeadline(deadline: DeadlineSpec): string {
  const ref = deadline.reference;
  const base = ref.kind === "fixed" ? `fixed ${new Date(ref.at).toISOString()}` : ref.kind;
  const ms = deadline.intervalMs;
  return ms < 0 ? `${base} - ${formatDuration(-ms)}` : `${base} + ${formatDuration(ms)}`;
}

export function describeExpectedDuration(ms: number): string {
  return `expectedDuration ${formatDuration(ms)}`;
}

/** `1h30m`, `45s`, `250ms`, `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
    ["ms", 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join("");
}

/** A recorded miss. `taskId` is null for a run's deadline; for a task, `deadlineIndex` is 0. */
export interface MissedDeadline {
  dagId: string;
  runId: string;
  runPk: number;
  taskId: string | null;
  /** -1 for a run's deadline or an unmapped task. */
  mapIndex: number;
  /** The attempt's try number; 0 for a run's deadline. */
  tryNumber: number;
  /** Which of the DAG's deadlines (its position in `deadline`); 0 for a task's expected duration. */
  deadlineIndex: number;
  /** `describeDeadline` / `describeExpectedDuration`. */
  description: string;
  dueAt: EpochMs;
  detectedAt: EpochMs;
}

export interface MissedDeadlineRecord extends MissedDeadline {
  /** Surrogate key, increasing in recording order. */
  id: number;
}
