import type { DagSpec } from "../core/model/dag-spec.js";
import type { Clock } from "../core/ports/clock.js";
import { DAG_BRAND, type DagDefinition, type RuntimeTask } from "../sdk/definition.js";
import { checkOverrides, overrideTask, type ParkedCounter, type TaskOverrides } from "./task-overrides.js";

/**
 * The user's DAG object as the executor sees it under test: the same spec and task code, with the
 * test's overrides applied to the tasks they name. Checks the overrides at once.
 */
export function testDefinition(dag: DagDefinition, spec: DagSpec, overrides: TaskOverrides, clock: Clock, parked: ParkedCounter): DagDefinition {
  const checked = checkOverrides(
    dag.dagId,
    overrides,
    spec.tasks.map((t) => t.taskId),
  );
  const tasks = new Map<string, RuntimeTask | undefined>();
  for (const [taskId, o] of checked) {
    const task = dag.getTask(taskId);
    if (task) tasks.set(taskId, overrideTask(task, o, clock, parked));
  }
  return {
    [DAG_BRAND]: true,
    dagId: dag.dagId,
    toSpec: () => dag.toSpec(),
    getTask: (taskId) => (tasks.has(taskId) ? tasks.get(taskId) : dag.getTask(taskId)),
    ...(dag.getCallback ? { getCallback: (index: number) => dag.getCallback!(index) } : {}),
  };
}
