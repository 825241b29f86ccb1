/**
 * `baton/testing`: run a DAG in your own test runner (vitest, node:test, jest) on a virtual clock.
 * See docs/testing.md.
 */
export { testDag, startDag, DagTest, type TestDagOptions } from "./dag-test.js";
export type { TaskOverride, TaskOverrides } from "./task-overrides.js";
export type { RunResult, TaskResult, AttemptResult } from "./results.js";
export type { DeadlineMissed } from "../core/model/domain-events.js";
