import { InvalidInputError } from "../core/errors.js";
import type { AlertSeverity, NotifierDeclaration } from "../core/model/alerts.js";
import { checkNotifierDeclaration } from "../core/alerts/check-notifier-declaration.js";
import type { AlertPolicySpec } from "../core/model/alert-policy.js";
import { CALLBACK_OPTIONS, type CallbackOption, type CallbacksSpec, type CallbackTarget } from "../core/model/callbacks.js";
import { parseDuration } from "../core/model/duration.js";
import type { CallbackContext } from "./context.js";
import { checkBoolean, checkInteger, checkKnownKeys, checkOneOf, show } from "./option-checks.js";

/** A callback: a notifier declaration (`slack({...})`…) or a function run in a worker with the callback's context. */
export type Callback<P = Record<string, unknown>> = NotifierDeclaration | ((ctx: CallbackContext<P>) => unknown);

/** One callback or a list of them. */
export type Callbacks<P = Record<string, unknown>> = Callback<P> | readonly Callback<P>[];

/**
 * Callbacks of a DAG (about its runs) or of a task (about its task instances). Functions run in
 * a worker process, never in the scheduler; one that throws or outlives `callbackTimeout` is
 * logged and never changes the run's outcome. Not fired for a user's manual mark. See docs/alerts.md.
 */
export interface CallbackOptions<P = Record<string, unknown>> {
  /** The task instance failed for good (no retry left; or upstream_failed), or the run failed. */
  onFailure?: Callbacks<P>;
  /** The task instance or the run succeeded. */
  onSuccess?: Callbacks<P>;
  /** An attempt failed and a retry is coming (task-level only). */
  onRetry?: Callbacks<P>;
  /** An attempt started running (task-level only). */
  onExecute?: Callbacks<P>;
  /** The task instance was skipped (task-level only). */
  onSkipped?: Callbacks<P>;
  /** The run missed its deadline (DAG-level). */
  onDeadlineMissed?: Callbacks<P>;
  /** A task's value (duration, `ctx.metric`) or the run's landing was far outside its baseline (DAG-level; docs/anomalies.md). */
  onAnomaly?: Callbacks<P>;
}

/** `alertPolicy` of `dag()`: see docs/alerts.md, "Alert policies". */
export interface AlertPolicyOptions {
  /** Alert once this many runs in a row have failed. Default 1. */
  afterConsecutiveFailures?: number;
  /** Send `recovered` to whoever was alerted once a run succeeds again. Default true. */
  resolveOnRecovery?: boolean;
  /** Alert again while still failing at most this often ("1h"); null: once per incident. Default null. */
  repeatEvery?: number | string | null;
  /** Default "error". */
  severity?: AlertSeverity;
  /** Notifiers of this DAG's policy alerts (besides the global routes that match). */
  notify?: NotifierDeclaration | readonly NotifierDeclaration[];
}

export const TASK_CALLBACK_KEYS = ["onFailure", "onSuccess", "onRetry", "onExecute", "onSkipped"] as const;
export const DAG_CALLBACK_KEYS = [...CALLBACK_OPTIONS, "callbackTimeout", "alertPolicy"] as const;
const SEVERITIES: readonly AlertSeverity[] = ["critical", "error", "warning", "info"];

/**
 * Numbers the callback functions of one DAG: DAG-level options first (in option order), then each
 * task's in declaration order. The DAG processor and the worker walk the same DAG the same way,
 * so an index in the spec names the same function in the bundle.
 */
export class CallbackFunctions {
  readonly list: ((ctx: CallbackContext<never>) => unknown)[] = [];

  /** The spec of `options`' callbacks (only the keys in `keys`); undefined when there are none. */
  resolve(options: Record<string, unknown>, keys: readonly CallbackOption[]): CallbacksSpec | undefined {
    const out: CallbacksSpec = {};
    for (const key of keys) {
      const value = options[key];
      if (value === undefined || value === null) continue;
      const items: unknown[] = Array.isArray(value) ? value : [value];
      out[key] = items.map((item, i) => this.#target(item, items.length > 1 ? `${key}[${i}]` : key));
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }

  #target(item: unknown, where: string): CallbackTarget {
    if (typeof item === "function") {
      this.list.push(item as (ctx: CallbackContext<never>) => unknown);
      return { kind: "function", index: this.list.length - 1, name: item.name || null };
    }
    return { kind: "notifier", notifier: checkNotifier(item, where) };
  }
}

/** A notifier declaration as `slack({...})` and friends return it (checked as the notifiers check it: kind, connection, text template, options). */
export function checkNotifier(item: unknown, where: string): NotifierDeclaration {
  const o = item as { notifier?: unknown; connection?: unknown } | null;
  if (typeof o !== "object" || o === null || Array.isArray(o) || o.notifier === undefined) {
    throw new InvalidInputError(`${where} must be a function (ctx) => … or a notifier such as slack({ connection: "…" }), got ${show(item)}`);
  }
  return checkNotifierDeclaration(item, where);
}

/** `callbackTimeout`: a positive duration; absent → undefined (the default, 60 s). */
export function resolveCallbackTimeout(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" && typeof value !== "string") throw new InvalidInputError(`callbackTimeout must be a duration like "30s", got ${show(value)}`);
  const ms = parseDuration(value, "callbackTimeout");
  if (ms <= 0) throw new InvalidInputError("callbackTimeout must be greater than 0");
  return ms;
}

/** `alertPolicy`: only the keys given (the global defaults fill the others). */
export function resolveAlertPolicy(value: unknown): Partial<AlertPolicySpec> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw new InvalidInputError(`alertPolicy must be an object, got ${show(value)}`);
  checkKnownKeys(value, ["afterConsecutiveFailures", "resolveOnRecovery", "repeatEvery", "severity", "notify"], "alertPolicy key");
  const o = value as AlertPolicyOptions;
  const out: Partial<AlertPolicySpec> = {};
  if (o.afterConsecutiveFailures !== undefined)
    out.afterConsecutiveFailures = checkInteger(o.afterConsecutiveFailures, "alertPolicy.afterConsecutiveFailures", 1);
  if (o.resolveOnRecovery !== undefined) out.resolveOnRecovery = checkBoolean(o.resolveOnRecovery, "alertPolicy.resolveOnRecovery");
  if (o.repeatEvery !== undefined) {
    const r = o.repeatEvery;
    if (r !== null && typeof r !== "number" && typeof r !== "string")
      throw new InvalidInputError(`alertPolicy.repeatEvery must be a duration like "1h" or null, got ${show(r)}`);
    out.repeatEveryMs = r === null ? null : parseDuration(r, "alertPolicy.repeatEvery");
  }
  if (o.severity !== undefined) out.severity = checkOneOf(o.severity, "alertPolicy.severity", SEVERITIES);
  if (o.notify !== undefined) {
    const list: unknown[] = Array.isArray(o.notify) ? o.notify : [o.notify];
    out.notify = list.map((n, i) => checkNotifier(n, `alertPolicy.notify[${i}]`));
  }
  return out;
}
