import type { DagSpec, TaskSpec } from "../model/dag-spec.js";
import { DEFAULT_POOL } from "../model/dag-spec.js";

/**
 * A TaskSpec with Airflow's defaults, for tests and examples.
 *
 * @example makeTask("load", { upstream: ["extract"], triggerRule: "all_done" })
 */
export function makeTask(taskId: string, overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    taskId,
    kind: "function",
    upstream: [],
    inputs: {},
    retries: 0,
    retryDelayMs: 300_000,
    retryExponentialBackoff: false,
    maxRetryDelayMs: null,
    executionTimeoutMs: null,
    triggerRule: "all_success",
    pool: DEFAULT_POOL,
    poolSlots: 1,
    priorityWeight: 1,
    dependsOnPast: false,
    command: null,
    line: null,
    doc: null,
    inlets: [],
    outlets: [],
    ...overrides,
  };
}

/**
 * A DagSpec with defaults (manual schedule, UTC), for tests and examples.
 *
 * @example makeDag([makeTask("a"), makeTask("b", { upstream: ["a"] })], { dagId: "etl" })
 */
export function makeDag(tasks: TaskSpec[], overrides: Partial<DagSpec> = {}): DagSpec {
  return {
    dagId: "test_dag",
    fileloc: "/dags/test_dag.ts",
    schedule: { kind: "none" },
    startDate: null,
    endDate: null,
    timezone: "UTC",
    catchup: false,
    tags: [],
    description: null,
    owner: null,
    paramsSchema: {},
    paramsDefaults: {},
    maxActiveRuns: 16,
    maxActiveTasks: 16,
    runTimeoutMs: null,
    tasks,
    ...overrides,
  };
}

/**
 * Tasks from a compact edge list: `chain("a>b", "a>c", "b>d")`; every id mentioned becomes a
 * task, in order of first mention.
 */
export function tasksFromEdges(...edges: string[]): TaskSpec[] {
  const ups = new Map<string, string[]>();
  for (const e of edges) {
    const [from, to] = e.split(">").map((s) => s.trim());
    if (!ups.has(from!)) ups.set(from!, []);
    if (to) {
      if (!ups.has(to)) ups.set(to, []);
      ups.get(to)!.push(from!);
    }
  }
  return [...ups].map(([id, upstream]) => makeTask(id, { upstream }));
}
