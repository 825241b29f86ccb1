import { FailTask, SkipTask } from "../core/errors.js";
import type { DagRunsGateway } from "../core/ports/dag-runs-gateway.js";
import { parseConnectionUri } from "../core/secrets/connection-uri.js";
import type { Clock } from "../core/ports/clock.js";
import { systemClock } from "../core/ports/clock.js";
import type { Logger } from "../core/ports/logger.js";
import { silentLogger } from "../core/ports/logger.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import type { TriggerEvent, Triggerer } from "../core/ports/triggerer.js";
import type { TriggerSpec } from "../core/sensors/sensor-wait.js";
import { formatMs, nextPokeDelay } from "../operators/sensors/poke-schedule.js";
import type { CheckEnv, CheckResult, SensorCheck } from "../operators/sensors/sensor-check.js";
import { SENSOR_CHECKS } from "../operators/sensors/sensor-checks.js";
import { Semaphore } from "./semaphore.js";

export interface LocalTriggererOptions {
  clock?: Clock;
  logger?: Logger;
  /** For checks naming a connection id (http, sql); without it only URIs work. */
  secrets?: SecretsResolver | null;
  /** Runs of other DAGs, for external-task checks; without it they fail saying so. */
  dagRuns?: DagRunsGateway | null;
  /** Checks running at the same time at most; the others wait their turn. Default 64. */
  maxConcurrentChecks?: number;
  /** Limit of one check; a check still running then counts as "not yet". Default 60 s. */
  checkTimeoutMs?: number;
  /** The checks it can run by kind; default the built-in sensors' (SENSOR_CHECKS). */
  checks?: Readonly<Record<string, SensorCheck>>;
}

interface Watch {
  key: string;
  spec: TriggerSpec;
  pokes: number;
  onEvent: (event: TriggerEvent) => void;
  cancelTimer: (() => void) | null;
  abort: AbortController | null;
}

/** setTimeout's limit is 2^31−1 ms (24.8 days); a longer wait wakes early and checks once more. */
const MAX_TIMER_MS = 2_000_000_000;

/**
 * The triggerer in the scheduler's process: each deferred sensor is a timer plus, when it fires,
 * one asynchronous check (file glob, HTTP GET, SQL query, clock) — no worker, no process, no slot,
 * so hundreds wait at once. Waits follow the sensor's poke interval and exponential backoff;
 * the last check happens at the sensor's timeout, then the wait ends as timed out.
 */
export class LocalTriggerer implements Triggerer {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #env: CheckEnv;
  readonly #checks: Readonly<Record<string, SensorCheck>>;
  readonly #checkTimeoutMs: number;
  readonly #slots: Semaphore;
  readonly #watches = new Map<string, Watch>();
  readonly #running = new Set<Promise<void>>();

  constructor(options: LocalTriggererOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#checks = options.checks ?? SENSOR_CHECKS;
    this.#checkTimeoutMs = options.checkTimeoutMs ?? 60_000;
    this.#slots = new Semaphore(options.maxConcurrentChecks ?? 64);
    const secrets = options.secrets ?? null;
    this.#env = {
      async connection(conn) {
        if (conn.includes("://")) return parseConnectionUri("(uri)", conn);
        if (secrets === null)
          throw new FailTask(`connection "${conn}": the triggerer has no secrets resolver; pass a URI or start Baton with connections configured`);
        return secrets.connection(conn);
      },
      dagRuns: options.dagRuns ?? null,
      now: () => this.#clock.now(),
    };
  }

  get size(): number {
    return this.#watches.size;
  }

  watch(key: string, spec: TriggerSpec, pokes: number, onEvent: (event: TriggerEvent) => void): void {
    this.cancel(key);
    const w: Watch = { key, spec, pokes, onEvent, cancelTimer: null, abort: null };
    this.#watches.set(key, w);
    if (!this.#checks[spec.kind]) {
      const known = Object.keys(this.#checks).join(", ");
      this.#end(w, { kind: "failed", error: `the triggerer has no check "${spec.kind}"; known checks: ${known}`, retryable: false, pokes });
      return;
    }
    this.#plan(w, spec.notBefore);
  }

  cancel(key: string): void {
    const w = this.#watches.get(key);
    if (!w) return;
    this.#watches.delete(key);
    w.cancelTimer?.();
    w.abort?.abort(new Error("the wait was cancelled"));
  }

  async close(): Promise<void> {
    for (const key of [...this.#watches.keys()]) this.cancel(key);
    await Promise.allSettled([...this.#running]);
  }

  /** Waits for the next check, or ends the wait when the timeout has passed. */
  #plan(w: Watch, notBefore: number | undefined): void {
    const now = this.#clock.now();
    const remaining = w.spec.timeoutAt - now;
    if (remaining <= 0) {
      this.#timedOut(w, undefined);
      return;
    }
    const delay = notBefore !== undefined ? Math.min(Math.max(0, notBefore - now), remaining) : nextPokeDelay(w.spec, w.pokes, remaining, w.spec.key);
    w.cancelTimer = this.#clock.setTimer(Math.min(delay, MAX_TIMER_MS), () => {
      w.cancelTimer = null;
      if (this.#watches.get(w.key) !== w) return;
      const p = this.#poke(w);
      this.#running.add(p);
      void p.finally(() => this.#running.delete(p));
    });
  }

  async #poke(w: Watch): Promise<void> {
    const release = await this.#slots.acquire();
    try {
      if (this.#watches.get(w.key) !== w) return;
      w.abort = new AbortController();
      const n = ++w.pokes;
      const result = await this.#checkWithin(w, w.abort.signal);
      w.abort = null;
      if (this.#watches.get(w.key) !== w) return;
      if (result === "timed out") {
        const reason = `check ${n} still running after ${formatMs(this.#checkTimeoutMs)}`;
        if (this.#clock.now() >= w.spec.timeoutAt) this.#timedOut(w, reason);
        else this.#plan(w, undefined);
      } else if ("skip" in result) {
        this.#end(w, { kind: "skipped", reason: result.skip, pokes: n });
      } else if ("error" in result) {
        this.#end(w, { kind: "failed", error: result.error, retryable: result.retryable, pokes: n });
      } else if (result.done) {
        this.#end(w, { kind: "done", value: result.value, pokes: n });
      } else if (this.#clock.now() >= w.spec.timeoutAt) {
        this.#timedOut(w, result.reason);
      } else {
        this.#plan(w, result.notBefore);
      }
    } finally {
      release();
    }
  }

  /** One check, abandoned (its signal aborted) after the check timeout; errors become values. */
  async #checkWithin(w: Watch, signal: AbortSignal): Promise<CheckResult | "timed out" | { skip: string } | { error: string; retryable: boolean }> {
    const limit = new AbortController();
    const cancelLimit = this.#clock.setTimer(this.#checkTimeoutMs, () => limit.abort(new Error("the check timed out")));
    const both = AbortSignal.any([signal, limit.signal]);
    let onAbort = (): void => {};
    const stop = new Promise<"timed out">((resolve) => {
      onAbort = () => resolve("timed out");
      both.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([this.#checks[w.spec.kind]!(w.spec.args, this.#env, both), stop]);
    } catch (e) {
      if (both.aborted) return "timed out";
      if (SkipTask.is(e)) return { skip: e.message };
      const error = e instanceof Error ? e.message : String(e);
      this.#logger.warn({ key: w.key, kind: w.spec.kind, err: e }, "sensor check failed");
      return { error, retryable: !FailTask.is(e) };
    } finally {
      cancelLimit();
      both.removeEventListener("abort", onAbort);
    }
  }

  #timedOut(w: Watch, reason: string | undefined): void {
    const spent = this.#clock.now() - (w.spec.timeoutAt - w.spec.timeoutMs);
    const message =
      `timed out after ${formatMs(spent)} (timeout ${formatMs(w.spec.timeoutMs)}, ${w.pokes} poke${w.pokes === 1 ? "" : "s"}, ` +
      `deferred${reason ? `; last: ${reason}` : ""})`;
    this.#end(w, { kind: "timeout", message, pokes: w.pokes });
  }

  #end(w: Watch, event: TriggerEvent): void {
    if (this.#watches.get(w.key) !== w) return;
    this.#watches.delete(w.key);
    w.cancelTimer?.();
    try {
      w.onEvent(event);
    } catch (e) {
      this.#logger.error({ key: w.key, err: e }, "a trigger event handler threw");
    }
  }
}
