/**
 * Task-instance and DAG-run states. The vocabulary follows Airflow's (docs/GLOSSARY.md),
 * so that users moving from Airflow read Baton's UI and logs without a dictionary.
 */
export const TASK_STATES = [
  "none",
  "scheduled",
  "queued",
  "running",
  "up_for_retry",
  /** A sensor in reschedule mode between pokes: no worker slot; back to scheduled at `nextRetryAt`. */
  "up_for_reschedule",
  /** A sensor handed to the triggerer: no worker slot; ends when its trigger fires or times out. */
  "deferred",
  "success",
  "failed",
  "skipped",
  "upstream_failed",
  "removed",
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const FINISHED_TASK_STATES: ReadonlySet<TaskState> = new Set(["success", "failed", "skipped", "upstream_failed", "removed"]);

export function isFinished(state: TaskState): boolean {
  return FINISHED_TASK_STATES.has(state);
}

export const RUN_STATES = ["queued", "running", "success", "failed"] as const;
export type RunState = (typeof RUN_STATES)[number];

export const RUN_TYPES = ["scheduled", "manual", "backfill", "dataset", "event"] as const;
export type RunType = (typeof RUN_TYPES)[number];

export const TRIGGER_RULES = [
  "all_success",
  "all_failed",
  "all_done",
  "all_done_min_one_success",
  "one_success",
  "one_failed",
  "one_done",
  "none_failed",
  "none_failed_min_one_success",
  "none_skipped",
  "all_skipped",
  "always",
] as const;
/**
 * A teardown task's fixed rule (Airflow's `all_done_setup_success`, not settable by users): it runs
 * once every upstream is done, if one of its setups succeeded (or it has none); skipped when every
 * setup was skipped, upstream_failed when none succeeded (docs/trigger-rules.md, "Setup and teardown").
 */
export const TEARDOWN_TRIGGER_RULE = "all_done_setup_success";
/** The rules a task may set, and a teardown's own. */
export type TriggerRule = (typeof TRIGGER_RULES)[number] | typeof TEARDOWN_TRIGGER_RULE;
