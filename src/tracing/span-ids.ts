import { createHash } from "node:crypto";

/**
 * Trace and span ids derived from what identifies a run, so that every process that records part
 * of a run (another scheduler after a take-over, a restarted one, the worker running an attempt)
 * names the same trace and the same parents without asking anyone (docs/tracing.md, "Ids").
 *
 * - trace id: the service name, the run's key in the store, its DAG id and run id;
 * - run span: the trace id and the run's episode (0, or when a clear queued it again);
 * - task-instance span: the trace id, task id, map index and its episode (0, or its try number
 *   when a clear made it run again);
 * - attempt span: the trace id, task id, map index and try number (try numbers only increase).
 *
 * Costs one SHA-256 of a few dozen bytes per id.
 */
export function traceIdOf(serviceName: string, runPk: number, dagId: string, runId: string): string {
  return digest(`baton-trace\0${serviceName}\0${runPk}\0${dagId}\0${runId}`, 32);
}

export function runSpanIdOf(traceId: string, episode: number): string {
  return digest(`run\0${traceId}\0${episode}`, 16);
}

export function taskSpanIdOf(traceId: string, taskId: string, mapIndex: number, episode: number): string {
  return digest(`ti\0${traceId}\0${taskId}\0${mapIndex}\0${episode}`, 16);
}

export function attemptSpanIdOf(traceId: string, taskId: string, mapIndex: number, tryNumber: number): string {
  return digest(`attempt\0${traceId}\0${taskId}\0${mapIndex}\0${tryNumber}`, 16);
}

/** W3C `traceparent` of a sampled span. */
export function traceparentOf(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}

/** The first `hexChars` of the SHA-256; never all zeros (an invalid id in W3C Trace Context). */
function digest(text: string, hexChars: number): string {
  const hex = createHash("sha256").update(text).digest("hex").slice(0, hexChars);
  return /^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex;
}
