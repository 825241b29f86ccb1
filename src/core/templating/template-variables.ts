import { formatDs, formatDsNodash, formatTs } from "../model/dates.js";

/** What a task attempt's templates may refer to. */
export interface TemplateVariablesInput {
  dagId: string;
  runId: string;
  taskId: string;
  tryNumber: number;
  logicalDate: number | null;
  dataIntervalStart: number | null;
  dataIntervalEnd: number | null;
  timezone: string;
  params: Record<string, unknown>;
  conf: Record<string, unknown>;
  /**
   * The previous successful run's dates (null: none); when absent (not known where the variables
   * are built) the prev_*_success variables are absent too.
   */
  prevSuccess?: {
    dataIntervalStart: number | null;
    dataIntervalEnd: number | null;
    startedAt: number | null;
    endedAt: number | null;
  } | null;
}

/**
 * The variables of a task attempt's templates, named as in Airflow: ds, ds_nodash (in the DAG's
 * time zone), ts, ts_nodash, ts_nodash_with_tz, logical_date, data_interval_start,
 * data_interval_end (UTC ISO), task_instance_key_str, run_id, dag_id, task_id, try_number, params, conf,
 * and prev_data_interval_start_success, prev_data_interval_end_success, prev_start_date_success,
 * prev_end_date_success (UTC ISO, null when there is no previous successful run). As in Airflow 3,
 * date variables are absent (so using them is an error naming what exists) when the run has no
 * logical date/data interval.
 *
 * @example renderTemplate("s3://bucket/{{ ds }}/", templateVariables({ ...run, logicalDate: Date.UTC(2024, 0, 2) })) // "s3://bucket/2024-01-02/"
 */
export function templateVariables(input: TemplateVariablesInput): Record<string, unknown> {
  const vars: Record<string, unknown> = {
    run_id: input.runId,
    dag_id: input.dagId,
    task_id: input.taskId,
    try_number: input.tryNumber,
    params: input.params,
    conf: input.conf,
  };
  if (input.logicalDate !== null) {
    const ts = formatTs(input.logicalDate);
    vars.ds = formatDs(input.logicalDate, input.timezone);
    vars.ds_nodash = formatDsNodash(input.logicalDate, input.timezone);
    vars.ts = ts;
    vars.ts_nodash = ts.slice(0, 19).replaceAll("-", "").replaceAll(":", "");
    vars.ts_nodash_with_tz = ts.replaceAll("-", "").replaceAll(":", "");
    vars.logical_date = ts;
    vars.task_instance_key_str = taskInstanceKeyStr(input.dagId, input.taskId, vars.ds_nodash as string);
  }
  if (input.dataIntervalStart !== null) vars.data_interval_start = formatTs(input.dataIntervalStart);
  if (input.dataIntervalEnd !== null) vars.data_interval_end = formatTs(input.dataIntervalEnd);
  if (input.prevSuccess !== undefined) {
    const p = input.prevSuccess;
    const at = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : formatTs(ms));
    vars.prev_data_interval_start_success = at(p?.dataIntervalStart);
    vars.prev_data_interval_end_success = at(p?.dataIntervalEnd);
    vars.prev_start_date_success = at(p?.startedAt);
    vars.prev_end_date_success = at(p?.endedAt);
  }
  return vars;
}

/** Airflow's `task_instance_key_str`: `{dag_id}__{task_id}__{ds_nodash}`. */
export function taskInstanceKeyStr(dagId: string, taskId: string, dsNodash: string): string {
  return `${dagId}__${taskId}__${dsNodash}`;
}
