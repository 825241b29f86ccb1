import type { AlertContext, AlertEvent, AlertSeverity } from "../model/alerts.js";
import type { Firing } from "./callback-firing.js";

/** Where the UI and API are reached from outside: BATON_BASE_URL, else the API's address. */
export interface AlertLinks {
  baseUrl: string;
}

/** `baton/<dagId>/<taskId or "run">`: the same for a failure and its recovery (alerts.ts). */
export function dedupKeyOf(dagId: string, taskId: string | null): string {
  return `baton/${dagId}/${taskId ?? "run"}`;
}

/** An anomaly's own incident, apart from the task's failures: `baton/<dagId>/<taskId or "run">/anomaly/<metric>`. */
export function anomalyDedupKeyOf(dagId: string, taskId: string | null, metric: string): string {
  return `${dedupKeyOf(dagId, taskId)}/anomaly/${metric}`;
}

/** The run's page in the UI. */
export function runUrlOf(links: AlertLinks, dagId: string, runId: string): string {
  return `${trim(links.baseUrl)}/dags/${encodeURIComponent(dagId)}/grid?run=${encodeURIComponent(runId)}`;
}

/** The attempt's log through the API (plain text), or null for a run or a task that has not run. */
export function logUrlOf(links: AlertLinks, f: Pick<Firing, "dagId" | "runId" | "taskId" | "mapIndex" | "tryNumber">): string | null {
  if (f.taskId === null || f.tryNumber < 1) return null;
  const map = f.mapIndex >= 0 ? `&mapIndex=${f.mapIndex}` : "";
  return `${trim(links.baseUrl)}/api/v1/dags/${encodeURIComponent(f.dagId)}/runs/${encodeURIComponent(f.runId)}/tasks/${encodeURIComponent(f.taskId)}/logs?try=${f.tryNumber}${map}`;
}

/** A stored error text split into the message (first line) and the stack (the whole text when it has more lines). */
export function splitError(text: string | null): { message: string; stack: string | null } | null {
  if (text === null || text === "") return null;
  const nl = text.indexOf("\n");
  return nl < 0 ? { message: text, stack: null } : { message: text.slice(0, nl), stack: text };
}

/** Default severity per event when no policy says otherwise. */
export function severityOf(event: AlertEvent, failureSeverity: AlertSeverity): AlertSeverity {
  if (event === "failure" || event === "deadline_missed") return failureSeverity;
  if (event === "retry" || event === "anomaly") return "warning";
  return "info";
}

/** The AlertContext of a firing (docs/alerts.md; fields as core/model/alerts.ts documents them). */
export function buildAlert(
  firing: Firing,
  event: AlertEvent,
  dag: { owner: string | null; tags: readonly string[] },
  links: AlertLinks,
  severity: AlertSeverity,
): AlertContext {
  return {
    event,
    severity,
    dagId: firing.dagId,
    runId: firing.runId,
    taskId: firing.taskId,
    mapIndex: firing.mapIndex,
    tryNumber: firing.tryNumber,
    state: firing.state,
    error: event === "failure" || event === "retry" || event === "deadline_missed" ? splitError(firing.error) : null,
    owner: dag.owner,
    tags: [...dag.tags],
    runUrl: runUrlOf(links, firing.dagId, firing.runId),
    logUrl: logUrlOf(links, firing),
    at: firing.at,
    dedupKey:
      event === "anomaly" && firing.anomaly !== undefined
        ? anomalyDedupKeyOf(firing.dagId, firing.taskId, firing.anomaly.metric)
        : dedupKeyOf(firing.dagId, firing.taskId),
    ...(event === "anomaly" && firing.anomaly !== undefined ? { anomaly: { ...firing.anomaly } } : {}),
  };
}

function trim(url: string): string {
  return url.endsWith("/") ? url.slice(0, -1) : url;
}
