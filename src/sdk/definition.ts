import type { DagSpec, TaskKind } from "../core/model/dag-spec.js";
import type { CallbackContext, TaskContext } from "./context.js";

/** Marks objects made by `dag()`, found among a DAG file's exports by the DAG processor. */
export const DAG_BRAND = Symbol.for("baton.dag");

/**
 * The runtime side of a DAG: what the DAG processor serializes and what the task runner
 * executes. Internal contract between sdk/, dag-processor/ and executor/task-runner/.
 */
export interface DagDefinition {
  readonly [DAG_BRAND]: true;
  readonly dagId: string;
  /** The serialized spec (fileloc is filled in by the DAG processor). Throws DagDefinitionError. */
  toSpec(): Omit<DagSpec, "fileloc">;
  getTask(taskId: string): RuntimeTask | undefined;
  /** The callback function the spec refers to by `index` (docs/alerts.md); undefined if none. */
  getCallback?(index: number): RuntimeCallback | undefined;
}

/** A callback function of the DAG's file, run by a worker. */
export type RuntimeCallback = (ctx: CallbackContext) => unknown;

export interface ShellInvocation {
  /** Rendered command, run with `bash -c`. */
  command: string;
  env: Record<string, string>;
  cwd: string | null;
}

export interface RuntimeTask {
  readonly taskId: string;
  readonly kind: TaskKind;
  /** The `sensitive` option: the return value is sealed, not masked (see OutputSealer). */
  readonly sensitive?: boolean;
  /**
   * function: returns the task's value. branch: returns the chosen direct downstream id(s) or
   * null. short_circuit: returns a boolean (falsy skips everything downstream).
   * shell: not called; see `shell`.
   */
  run(ctx: TaskContext, inputs: Record<string, unknown>): Promise<unknown>;
  /** shell tasks only: the command to run, rendered with the context. */
  shell?(ctx: TaskContext): ShellInvocation;
}

export function isDagDefinition(value: unknown): value is DagDefinition {
  return typeof value === "object" && value !== null && DAG_BRAND in value;
}
