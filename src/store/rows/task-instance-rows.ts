import type { Selectable } from "kysely";
import type { TaskInstanceRecord } from "../../core/model/records.js";
import type { TaskState } from "../../core/model/states.js";
import type { SensorWait, TriggerSpec } from "../../core/sensors/sensor-wait.js";
import type { TaskInstancesTable } from "../schema/database.js";
import { parseJsonColumn } from "./json-column.js";

export function toTaskInstanceRecord(row: Selectable<TaskInstancesTable>): TaskInstanceRecord {
  return {
    runPk: row.run_pk,
    taskId: row.task_id,
    mapIndex: row.map_index,
    state: row.state as TaskState,
    tryNumber: row.try_number,
    maxTries: row.max_tries,
    ...(row.infra_tries ? { infraTries: row.infra_tries } : {}),
    priority: row.priority,
    pool: row.pool,
    poolSlots: row.pool_slots,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    nextRetryAt: row.next_retry_at,
    output: row.output,
    error: row.error,
    followed:
      row.followed === null ? null : parseJsonColumn<string[]>(row.followed, `task_instances.followed of ${row.run_pk}/${row.task_id}/${row.map_index}`),
    ...sensorWaitOf(row),
    updatedAt: row.updated_at,
  };
}

export function toTaskInstanceRow(ti: TaskInstanceRecord): TaskInstancesTable {
  return {
    run_pk: ti.runPk,
    task_id: ti.taskId,
    map_index: ti.mapIndex,
    state: ti.state,
    try_number: ti.tryNumber,
    max_tries: ti.maxTries,
    infra_tries: ti.infraTries ?? 0,
    priority: ti.priority,
    pool: ti.pool,
    pool_slots: ti.poolSlots,
    queued_at: ti.queuedAt,
    started_at: ti.startedAt,
    ended_at: ti.endedAt,
    next_retry_at: ti.nextRetryAt,
    output: ti.output,
    error: ti.error,
    followed: ti.followed === null ? null : JSON.stringify(ti.followed),
    first_poke_at: ti.sensorWait?.firstPokeAt ?? null,
    poke_count: ti.sensorWait?.pokes ?? null,
    trigger_spec: ti.sensorWait?.trigger ? JSON.stringify(ti.sensorWait.trigger) : null,
    updated_at: ti.updatedAt,
  };
}

/** `{ sensorWait }` for a sensor between pokes, else nothing (the field is absent, as on records built in memory). */
function sensorWaitOf(row: Selectable<TaskInstancesTable>): { sensorWait?: SensorWait } {
  if (row.first_poke_at === null || row.first_poke_at === undefined) return {};
  const where = `task_instances.trigger_spec of ${row.run_pk}/${row.task_id}/${row.map_index}`;
  const trigger = row.trigger_spec === null ? null : parseJsonColumn<TriggerSpec>(row.trigger_spec, where);
  return { sensorWait: { firstPokeAt: Number(row.first_poke_at), pokes: row.poke_count ?? 0, trigger } };
}
