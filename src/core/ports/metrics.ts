/**
 * Measurements the engine reports as they happen. The composition root passes an implementation
 * (src/metrics: Prometheus); without one, {@link noMetrics} records nothing. Every method is
 * synchronous, cheap (O(1)) and never throws: callers sit on the scheduler's and the notifiers'
 * paths and must not wait for it. Labels are bounded: kinds and outcomes, never ids of runs.
 * See docs/metrics.md.
 *
 * @example
 * // A notifier (src/alerts) reports each delivery it tried:
 * metrics.notifierDelivery("slack", "delivered");
 * metrics.notifierDelivery("pagerduty", "failed");
 */
export interface Metrics {
  /** One pass of the scheduler's loop (its tick: schedules, commands, queued runs, timeouts) took `seconds`. */
  schedulerLoop(seconds: number): void;
  /** One group commit of the scheduler's state changes took `seconds`; `ok` false when it failed. */
  schedulerCommit(seconds: number, ok: boolean): void;
  /** One DAG file was loaded (bundled and imported in a child) in `seconds`; `ok` false when it produced import errors. */
  dagFileParsed(seconds: number, ok: boolean): void;
  /**
   * A notifier tried to deliver one message. `kind`: the notifier ("slack", "teams", "pagerduty",
   * "opsgenie", "email", "webhook", "jira"…); `outcome`: "delivered", or "failed" for a try that
   * did not deliver (each retry that fails counts again).
   */
  notifierDelivery(kind: string, outcome: NotifierOutcome): void;
}

export type NotifierOutcome = "delivered" | "failed";

/** Records nothing. */
export const noMetrics: Metrics = {
  schedulerLoop: () => {},
  schedulerCommit: () => {},
  dagFileParsed: () => {},
  notifierDelivery: () => {},
};

/** What an HTTP endpoint serves at `GET /metrics`: the text exposition of a process's metrics. */
export interface MetricsExposition {
  /** The Content-Type of {@link render}'s text, e.g. `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  /** The current values, collected now. */
  render(): Promise<string>;
}
