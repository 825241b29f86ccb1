import type { CallbackOutcome, CallbackRequest } from "../../core/ports/executor.js";
import type { CallbackContext } from "../../sdk/context.js";
import { AttemptLog } from "./attempt-log.js";
import { loadDag } from "./load-dag.js";

/**
 * Runs one callback function of a DAG's bundle in this process (the callback child, or the
 * in-process executor) and says how it went; never throws. A function that throws is `failed`
 * with its stack; the caller enforces the time limit (`signal` aborts at it).
 */
export async function runCallback(request: CallbackRequest, signal: AbortSignal): Promise<CallbackOutcome> {
  const log = request.logPath === null ? null : new AttemptLog(request.logPath);
  const where = `callback ${request.context.event} #${request.index}`;
  try {
    const dag = await loadDag(request.bundlePath, request.dagId);
    const fn = dag.getCallback?.(request.index);
    if (fn === undefined) return { status: "failed", error: `${where} is not in DAG "${request.dagId}" version ${request.bundlePath}` };
    log?.write(`[callback] ${where} started\n`);
    await fn(contextOf(request, log, signal));
    log?.write(`[callback] ${where} done\n`);
    return { status: "ok" };
  } catch (e) {
    const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    log?.write(`[callback] ${where} failed: ${error}\n`);
    return { status: "failed", error };
  } finally {
    log?.close();
  }
}

function contextOf(request: CallbackRequest, log: AttemptLog | null, signal: AbortSignal): CallbackContext {
  const c = request.context;
  const line = (level: string) => (msg: string, data?: Record<string, unknown>) =>
    log?.write(`[callback] ${level} ${msg}${data === undefined ? "" : ` ${JSON.stringify(data)}`}\n`);
  return {
    event: c.event,
    dagId: c.dagId,
    runId: c.runId,
    logicalDate: c.logicalDate === null ? null : new Date(c.logicalDate),
    taskId: c.taskId,
    mapIndex: c.mapIndex,
    tryNumber: c.tryNumber,
    state: c.state,
    error: c.error,
    runUrl: c.runUrl,
    logUrl: c.logUrl,
    ...(c.anomaly === undefined ? {} : { anomaly: c.anomaly }),
    params: c.params,
    conf: c.conf,
    log: { debug: line("DEBUG"), info: line("INFO"), warn: line("WARN"), error: line("ERROR") },
    signal,
  };
}
