import type { AttemptOutcome } from "../../core/ports/executor.js";

/** A metric name: a letter, then letters, digits, `_`, `.`, `-`; 64 characters at most. */
export const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
export const MAX_METRICS = 50;

/**
 * The values a task reports with `ctx.metric` (docs/anomalies.md): checked when reported (a
 * mistake throws in the task, where its author sees it), carried by the success outcome.
 */
export class TaskMetrics {
  readonly #values = new Map<string, number>();

  set(name: unknown, value: unknown): void {
    if (typeof name !== "string" || !METRIC_NAME.test(name)) {
      throw new TypeError(`ctx.metric: name must be 1-64 letters, digits, "_", "." or "-", starting with a letter; got ${JSON.stringify(name)}`);
    }
    if (name === "duration") throw new TypeError('ctx.metric: "duration" is reserved (Baton records every attempt\'s duration)');
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new TypeError(`ctx.metric("${name}"): value must be a finite number; got ${typeof value === "number" ? String(value) : typeof value}`);
    }
    if (!this.#values.has(name) && this.#values.size >= MAX_METRICS) throw new TypeError(`ctx.metric("${name}"): at most ${MAX_METRICS} metrics per attempt`);
    this.#values.set(name, value);
  }

  /** A success outcome with the metrics reported (none → unchanged). */
  attachTo(outcome: AttemptOutcome): AttemptOutcome {
    if (outcome.kind !== "success" || this.#values.size === 0) return outcome;
    return { ...outcome, metrics: Object.fromEntries(this.#values) };
  }
}
