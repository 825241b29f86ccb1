import { dateTimeCheck } from "./date-time-check.js";
import { fileCheck } from "./file-check.js";
import { httpCheck } from "./http-check.js";
import { objectCheck } from "../storage/object-check.js";
import { externalTaskCheck } from "../cross-dag/external-task-check.js";
import type { SensorCheck } from "./sensor-check.js";
import { sqlRowCheck } from "./sql-row-check.js";

/**
 * The checks a deferred sensor's trigger may name (`TriggerSpec.kind`): what the triggerer can run
 * without user code. A sensor whose check is not here cannot use mode "deferred".
 */
export const SENSOR_CHECKS: Readonly<Record<string, SensorCheck>> = {
  file: fileCheck,
  http: httpCheck,
  sql: sqlRowCheck,
  date_time: dateTimeCheck,
  object: objectCheck,
  external_task: externalTaskCheck,
};
