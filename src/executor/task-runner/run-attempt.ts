import { FailTask, SkipTask } from "../../core/errors.js";
import { attachSensorResume, DeferSensor, RescheduleSensor } from "../../core/sensors/sensor-handoff.js";
import type { AttemptOutcome, AttemptRequest } from "../../core/ports/executor.js";
import { maskJsonValue } from "../../core/secrets/mask-value.js";
import type { DagRunsGateway } from "../../core/ports/dag-runs-gateway.js";
import type { SecretsResolver } from "../../core/ports/secrets-resolver.js";
import type { RuntimeTask } from "../../sdk/definition.js";
import type { TaskContext } from "../../sdk/context.js";
import type { AttemptLog } from "./attempt-log.js";
import { encodeOutput } from "./encode-output.js";
import { DagLoadError, loadDag } from "./load-dag.js";
import { runShell } from "./run-shell.js";
import { buildTaskContext } from "./task-context.js";
import { TaskMetrics } from "./task-metrics.js";
import { attemptContext, inAttemptContext } from "./task-trace.js";

/**
 * Runs one attempt in the current process and turns whatever happens into an outcome; never
 * throws. Shared by the task-runner child and the in-process executor. `signal` aborts on
 * cancel or timeout; the caller decides what an abort means for the outcome.
 */
export async function runAttempt(
  request: AttemptRequest,
  log: AttemptLog,
  signal: AbortSignal,
  secrets: SecretsResolver | null = null,
  dagRuns: DagRunsGateway | null = null,
): Promise<AttemptOutcome> {
  const outcome = await runAttemptUnmasked(request, log, signal, secrets, dagRuns);
  return log.hasSecrets ? maskOutcome(outcome, log) : outcome;
}

/**
 * The error text and the return value are stored and shown: secrets the attempt obtained are
 * masked in them too, in every string of the value. A sensitive value is kept whole (it is sealed
 * by the scheduler, and its downstream tasks need the real thing).
 */
function maskOutcome(outcome: AttemptOutcome, log: AttemptLog): AttemptOutcome {
  if ("error" in outcome) return { ...outcome, error: log.mask(outcome.error) };
  if (outcome.kind === "skipped") return { ...outcome, reason: log.mask(outcome.reason) };
  if (outcome.kind === "success" && outcome.output !== null && outcome.sensitive !== true) {
    return { ...outcome, output: JSON.stringify(maskJsonValue(JSON.parse(outcome.output), (text) => log.mask(text))) };
  }
  return outcome;
}

async function runAttemptUnmasked(
  request: AttemptRequest,
  log: AttemptLog,
  signal: AbortSignal,
  secrets: SecretsResolver | null,
  dagRuns: DagRunsGateway | null,
): Promise<AttemptOutcome> {
  const { taskId, context } = request;
  let task: RuntimeTask | undefined;
  try {
    task = (await loadDag(request.bundlePath, context.dagId)).getTask(taskId);
  } catch (e) {
    const retryable = e instanceof DagLoadError ? e.retryable : true;
    return { kind: "failed", error: e instanceof Error ? e.message : String(e), retryable };
  }
  if (task === undefined) {
    return {
      kind: "failed",
      error: `task "${taskId}" no longer exists in DAG "${context.dagId}" version ${request.bundlePath}`,
      retryable: false,
    };
  }
  // A rescheduled sensor resumes its try: its first poke and pokes so far (the timeout spans reschedules).
  const metrics = new TaskMetrics();
  const ctx = attachSensorResume(buildTaskContext(request, log, signal, secrets, dagRuns, metrics), request.sensor);
  try {
    if (task.kind === "shell") return await runShellTask(task, ctx, request, log, signal);
    // With tracing on, the attempt's span is the active one while the task's code runs.
    const value = await inAttemptContext(attemptContext(request.traceparent), () => task.run(ctx, request.inputs));
    return metrics.attachTo(settle(task, value, request.maxOutputBytes));
  } catch (e) {
    return outcomeOfError(e);
  }
}

function settle(task: RuntimeTask, value: unknown, maxOutputBytes: number): AttemptOutcome {
  let followed: string[] | null | undefined;
  if (task.kind === "branch") {
    if (value === null || value === undefined) followed = [];
    else if (typeof value === "string") followed = [value];
    else if (Array.isArray(value) && value.every((v) => typeof v === "string")) followed = value as string[];
    else {
      return {
        kind: "failed",
        error: `branch task "${task.taskId}" must return a task id, an array of task ids or null; got ${describe(value)}`,
        retryable: false,
      };
    }
  } else if (task.kind === "short_circuit") {
    followed = value ? null : [];
  }
  const encoded = encodeOutput(task.taskId, value, maxOutputBytes);
  if (!encoded.ok) return encoded.outcome;
  const sensitive = task.sensitive === true ? { sensitive: true as const } : {};
  return followed === undefined
    ? { kind: "success", output: encoded.output, ...sensitive }
    : { kind: "success", output: encoded.output, followed, ...sensitive };
}

async function runShellTask(task: RuntimeTask, ctx: TaskContext, request: AttemptRequest, log: AttemptLog, signal: AbortSignal): Promise<AttemptOutcome> {
  if (task.shell === undefined) {
    return { kind: "failed", error: `shell task "${task.taskId}" has no command`, retryable: false };
  }
  const invocation = task.shell(ctx);
  // With tracing on, the command's own tracing (otel-cli, an instrumented program) continues the attempt's trace.
  if (request.traceparent !== undefined) invocation.env = { TRACEPARENT: request.traceparent, ...invocation.env };
  const result = await runShell(invocation, log, signal);
  if (result.code !== 0) {
    const how = result.code === null ? `command was killed by ${result.signal}` : `command exited with code ${result.code}`;
    const error = result.lastStderrLine === null ? how : `${how}: ${result.lastStderrLine}`;
    return { kind: "failed", error, retryable: true };
  }
  if (result.lastStdoutLine === null) return { kind: "success", output: null };
  const encoded = encodeOutput(task.taskId, result.lastStdoutLine, request.maxOutputBytes);
  return encoded.ok ? { kind: "success", output: encoded.output } : encoded.outcome;
}

/** SkipTask → skipped; FailTask → failed for good; a sensor's reschedule or deferral → its outcome; anything else → failed, retryable. */
export function outcomeOfError(e: unknown): AttemptOutcome {
  if (RescheduleSensor.is(e)) return { kind: "reschedule", at: e.at, firstPokeAt: e.wait.firstPokeAt, pokes: e.wait.pokes };
  if (DeferSensor.is(e)) return { kind: "deferred", trigger: e.trigger, firstPokeAt: e.wait.firstPokeAt, pokes: e.wait.pokes };
  const message = messageOf(e);
  if (SkipTask.is(e)) return { kind: "skipped", reason: message || "skipped by the task" };
  if (FailTask.is(e)) return { kind: "failed", error: message || "failed by the task", retryable: false };
  const stack = e instanceof Error ? e.stack : undefined;
  const error = stack !== undefined && stack.includes(message) ? stack : message;
  return { kind: "failed", error: error || "task threw an error without a message", retryable: true };
}

function messageOf(e: unknown): string {
  if (typeof e === "object" && e !== null && "message" in e && typeof e.message === "string") return e.message;
  if (typeof e === "string") return e;
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return String(e);
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array containing non-strings";
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}
