import { Cron } from "croner";
import { DagDefinitionError } from "../errors.js";
import type { DagSpec, TaskSpec } from "../model/dag-spec.js";
import { TEARDOWN_TRIGGER_RULE, TRIGGER_RULES } from "../model/states.js";
import { findCycles } from "./find-cycles.js";

/** Airflow's `allowed_run_id_pattern`, used for DAG and task ids too. */
export const ID_PATTERN = /^[A-Za-z0-9_.~:+-]+$/;
const MAX_LISTED_IDS = 50;

/**
 * Every problem in a DAG spec, not just the first; `[]` when the spec is valid. Each error
 * carries `spec.fileloc` and, for task problems, the task's line.
 *
 * @example const errors = validateDagSpec(spec); if (errors.length) report(errors);
 */
export function validateDagSpec(spec: DagSpec): DagDefinitionError[] {
  const errors: DagDefinitionError[] = [];
  const dagError = (message: string) => errors.push(new DagDefinitionError(`DAG "${spec.dagId}": ${message}`, spec.fileloc, null));
  const taskError = (t: TaskSpec, message: string) =>
    errors.push(new DagDefinitionError(`DAG "${spec.dagId}", task "${t.taskId}": ${message}`, spec.fileloc, t.line));

  if (!ID_PATTERN.test(spec.dagId)) dagError(`dag id "${spec.dagId}" is invalid; use letters, digits and _ . ~ : + -`);
  if (!isValidTimezone(spec.timezone)) dagError(`time zone "${spec.timezone}" is not a valid IANA time zone (e.g. "UTC", "Europe/Paris")`);
  if (spec.maxActiveRuns < 1) dagError(`maxActiveRuns must be at least 1, got ${spec.maxActiveRuns}`);
  if (spec.maxActiveTasks < 1) dagError(`maxActiveTasks must be at least 1, got ${spec.maxActiveTasks}`);
  if (spec.startDate !== null && spec.endDate !== null && spec.endDate < spec.startDate) {
    dagError(`endDate ${new Date(spec.endDate).toISOString()} is before startDate ${new Date(spec.startDate).toISOString()}`);
  }
  const scheduleProblem = checkSchedule(spec);
  if (scheduleProblem) dagError(scheduleProblem);

  const ids = new Set<string>();
  for (const t of spec.tasks) {
    if (ids.has(t.taskId)) taskError(t, `duplicate task id "${t.taskId}"; task ids must be unique within a DAG`);
    ids.add(t.taskId);
  }
  const known = listIds([...ids]);
  for (const t of spec.tasks) {
    if (!ID_PATTERN.test(t.taskId)) taskError(t, `task id "${t.taskId}" is invalid; use letters, digits and _ . ~ : + -`);
    for (const u of t.upstream) {
      if (u === t.taskId) taskError(t, `task depends on itself`);
      else if (!ids.has(u)) taskError(t, `upstream "${u}" is not a task of this DAG; tasks: ${known}`);
    }
    for (const [input, from] of Object.entries(t.inputs)) {
      if (!ids.has(from)) taskError(t, `input "${input}" refers to "${from}", which is not a task of this DAG; tasks: ${known}`);
      else if (!t.upstream.includes(from)) taskError(t, `input "${input}" comes from "${from}", which is not in its upstream`);
    }
    if (t.map) {
      for (const [input, from] of Object.entries(t.map.over)) {
        if (!ids.has(from)) taskError(t, `mapped input "${input}" refers to "${from}", which is not a task of this DAG; tasks: ${known}`);
        else if (!t.upstream.includes(from)) taskError(t, `mapped input "${input}" comes from "${from}", which is not in its upstream`);
      }
      if (Object.keys(t.map.over).length + Object.keys(t.map.values).length === 0) taskError(t, `a mapped task needs at least one list to map over`);
      if (!(t.map.maxLength >= 1)) taskError(t, `maxMapLength must be at least 1, got ${t.map.maxLength}`);
      if (t.map.maxActive !== null && !(t.map.maxActive >= 1)) taskError(t, `maxActiveCopies must be at least 1, got ${t.map.maxActive}`);
    }
    if (!(t.retries >= 0)) taskError(t, `retries must be 0 or more, got ${t.retries}`);
    if (!(t.retryDelayMs >= 0)) taskError(t, `retryDelayMs must be 0 or more, got ${t.retryDelayMs}`);
    if (!(t.poolSlots >= 1)) taskError(t, `poolSlots must be at least 1, got ${t.poolSlots}`);
    if (t.teardown !== undefined) {
      if (t.setup) taskError(t, `a task cannot be both a setup and a teardown`);
      if (t.triggerRule !== TEARDOWN_TRIGGER_RULE) taskError(t, `a teardown's trigger rule is ${TEARDOWN_TRIGGER_RULE}; leave triggerRule out`);
      for (const s of t.teardown.setups) {
        const setup = spec.tasks.find((x) => x.taskId === s);
        if (setup === undefined) taskError(t, `setup "${s}" is not a task of this DAG; tasks: ${known}`);
        else if (!setup.setup) taskError(t, `"${s}" in its setups is not a setup task; declare it with setup: true`);
      }
    } else if (!(TRIGGER_RULES as readonly string[]).includes(t.triggerRule)) {
      taskError(t, `trigger rule "${t.triggerRule}" is invalid; valid rules: ${TRIGGER_RULES.join(", ")}`);
    }
  }
  for (const cycle of findCycles(spec.tasks)) {
    const first = spec.tasks.find((t) => t.taskId === cycle[0]);
    const message = `cycle: ${cycle.join(" → ")}`;
    if (first) taskError(first, message);
    else dagError(message);
  }
  return errors;
}

/** True when `Intl` knows the IANA time zone. */
export function isValidTimezone(timeZone: string): boolean {
  if (!timeZone) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

function checkSchedule(spec: DagSpec): string | null {
  const s = spec.schedule;
  if (s.kind === "every" && !(s.everyMs >= 1000)) return `schedule interval must be at least 1s, got ${s.everyMs}ms`;
  if (s.kind !== "cron") return null;
  try {
    new Cron(s.expression, { paused: true });
    return null;
  } catch (e) {
    return `invalid cron schedule "${s.expression}": ${(e as Error).message}`;
  }
}

function listIds(ids: string[]): string {
  if (ids.length === 0) return "(none)";
  const shown = ids.slice(0, MAX_LISTED_IDS).join(", ");
  return ids.length > MAX_LISTED_IDS ? `${shown} (and ${ids.length - MAX_LISTED_IDS} more)` : shown;
}
