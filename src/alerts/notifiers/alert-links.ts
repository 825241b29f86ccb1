import type { AlertContext } from "../../core/model/alerts.js";

export interface AlertLink {
  label: string;
  url: string;
}

/**
 * The alert's links into the UI that a service can open: absolute http(s) URLs only (a relative
 * link, when BATON_BASE_URL is not set, is shown as text instead: services refuse it as a button).
 */
export function alertLinks(alert: AlertContext): AlertLink[] {
  const links: AlertLink[] = [{ label: "View run", url: alert.runUrl }];
  if (alert.logUrl !== null) links.push({ label: "View log", url: alert.logUrl });
  return links.filter((l) => /^https?:\/\//i.test(l.url));
}

/** Facts worth a line each: DAG, task, run, try, state, owner; an anomaly's metric, value, baseline and score. */
export function alertFacts(alert: AlertContext): { title: string; value: string }[] {
  const facts = [
    { title: "DAG", value: alert.dagId },
    ...(alert.taskId === null ? [] : [{ title: "Task", value: alert.mapIndex >= 0 ? `${alert.taskId}[${alert.mapIndex}]` : alert.taskId }]),
    { title: "Run", value: alert.runId },
    ...(alert.taskId === null ? [] : [{ title: "Try", value: String(alert.tryNumber) }]),
    { title: "State", value: alert.state },
  ];
  if (alert.owner !== null) facts.push({ title: "Owner", value: alert.owner });
  const a = alert.anomaly;
  if (a !== undefined) {
    facts.push(
      { title: "Metric", value: a.metric },
      { title: "Value", value: String(a.value) },
      { title: "Baseline", value: `median ${a.median}, MAD ${a.mad} (${a.points} points, season ${a.season})` },
      { title: "Score", value: a.score.toFixed(2) },
    );
  }
  return facts;
}

/** Shortens text to `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
