import type { TaskState, TriggerRule } from "../model/states.js";

/**
 * Counts over a task's DIRECT upstream task instances. `total` counts every upstream, removed
 * ones included; the other fields count finished upstreams by state. Unfinished upstreams
 * (none, scheduled, queued, running, up_for_retry) appear only in `total`.
 */
export interface UpstreamCounts {
  total: number;
  success: number;
  skipped: number;
  failed: number;
  upstreamFailed: number;
  removed: number;
}

/** States of a teardown's direct upstream setups (for `all_done_setup_success`). */
export interface SetupCounts {
  total: number;
  success: number;
  skipped: number;
}

/** "run": may be scheduled now; "skip"/"upstream_failed": set that state now; "wait": not yet decidable. */
export type TriggerDecision = "run" | "skip" | "upstream_failed" | "wait";

/**
 * Counts direct upstream states for {@link evaluateTriggerRule}.
 *
 * @example countUpstream(["success", "running"]) // { total: 2, success: 1, skipped: 0, failed: 0, upstreamFailed: 0, removed: 0 }
 */
export function countUpstream(states: Iterable<TaskState>): UpstreamCounts {
  const c: UpstreamCounts = { total: 0, success: 0, skipped: 0, failed: 0, upstreamFailed: 0, removed: 0 };
  for (const s of states) {
    c.total++;
    if (s === "success") c.success++;
    else if (s === "skipped") c.skipped++;
    else if (s === "failed") c.failed++;
    else if (s === "upstream_failed") c.upstreamFailed++;
    else if (s === "removed") c.removed++;
  }
  return c;
}

/**
 * Decides a task's fate from its direct upstream counts, with Airflow's eager semantics
 * (docs/trigger-rules.md): a skip or failure is decided as soon as it is certain, without
 * waiting for the remaining upstreams. Removed upstreams are subtracted from `total`; a task
 * with no (remaining) upstream runs at once. Unlike Airflow, the result never depends on the
 * order upstreams finish in: all_success skips only once every upstream is done, since an
 * unfinished one may still fail, and a failure wins over a skip (→ upstream_failed).
 *
 * @example evaluateTriggerRule("all_success", countUpstream(["failed", "running"])) // "upstream_failed"
 * @example evaluateTriggerRule("all_success", countUpstream(["skipped", "running"])) // "wait"
 *
 * `all_done_setup_success` (a teardown's) also needs `setups`, the states of its direct upstream setups.
 */
export function evaluateTriggerRule(rule: TriggerRule, c: UpstreamCounts, setups?: SetupCounts): TriggerDecision {
  const upstream = c.total - c.removed;
  if (upstream <= 0 || rule === "always") return "run";
  const failures = c.failed + c.upstreamFailed;
  const allDone = c.success + c.skipped + failures >= upstream;
  switch (rule) {
    case "all_success":
      if (failures > 0) return "upstream_failed";
      if (!allDone) return "wait";
      return c.skipped > 0 ? "skip" : "run";
    case "all_failed":
      if (c.success + c.skipped > 0) return "skip";
      return failures >= upstream ? "run" : "wait";
    case "all_done":
      return allDone ? "run" : "wait";
    case "all_done_min_one_success":
      if (!allDone) return "wait";
      if (c.success > 0) return "run";
      return failures > 0 ? "upstream_failed" : "skip";
    case "one_success":
      if (c.success > 0) return "run";
      if (!allDone) return "wait";
      return c.skipped >= upstream ? "skip" : "upstream_failed";
    case "one_failed":
      if (failures > 0) return "run";
      return allDone ? "skip" : "wait";
    case "one_done":
      if (c.success + c.failed > 0) return "run";
      return allDone ? "skip" : "wait";
    case "none_failed":
      if (failures > 0) return "upstream_failed";
      return allDone ? "run" : "wait";
    case "none_failed_min_one_success":
      if (failures > 0) return "upstream_failed";
      if (c.skipped >= upstream) return "skip";
      return allDone ? "run" : "wait";
    case "none_skipped":
      if (c.skipped > 0) return "skip";
      return allDone ? "run" : "wait";
    case "all_skipped":
      if (c.success + failures > 0) return "skip";
      return c.skipped >= upstream ? "run" : "wait";
    case "all_done_setup_success":
      if (!allDone) return "wait";
      if (setups === undefined || setups.total === 0 || setups.success > 0) return "run";
      return setups.skipped >= setups.total ? "skip" : "upstream_failed";
  }
}
