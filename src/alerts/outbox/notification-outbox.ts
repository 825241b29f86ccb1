import { randomBytes } from "node:crypto";
import { alertTitle } from "../../core/alerts/alert-text.js";
import { InvalidInputError } from "../../core/errors.js";
import type { AlertContext, AlertOutbox, NotifierDeclaration, NotifierKind } from "../../core/model/alerts.js";
import type { Connection } from "../../core/model/connection.js";
import type { Clock } from "../../core/ports/clock.js";
import type { Logger } from "../../core/ports/logger.js";
import type { NotificationDelivery, NotificationStore } from "../../core/ports/notification-store.js";
import type { SecretsResolver } from "../../core/ports/secrets-resolver.js";
import { maskText } from "../../core/secrets/mask-text.js";
import { secretValuesOf } from "../../core/secrets/sensitive-keys.js";
import { clip } from "../notifiers/alert-links.js";
import { BUILT_IN_NOTIFIERS } from "../notifiers/built-in-notifiers.js";
import { HttpClient } from "../notifiers/http-client.js";
import { DeliveryError, type Notifier } from "../notifiers/notifier.js";
import { retryDelayMs } from "./retry-delay.js";

/** What became of one alert or one attempt, for metrics (`onDelivery`). */
export type DeliveryOutcomeKind = "delivered" | "retrying" | "failed" | "repeat" | "dropped";

export interface NotificationOutboxOptions {
  store: NotificationStore;
  secrets: SecretsResolver;
  clock: Clock;
  logger: Logger;
  /** Default: the built-in notifiers. */
  notifiers?: Readonly<Record<NotifierKind, Notifier>>;
  /** This process's claimer id; default random. */
  id?: string;
  /** Attempts before a delivery is recorded failed (default 8). */
  maxAttempts?: number;
  /** The first retry's delay; each next one doubles (default 30 s). */
  firstRetryMs?: number;
  /** The longest delay between attempts (default 1 h). */
  maxRetryMs?: number;
  /** The same event of an incident again within this window is not sent again (default 5 min). */
  repeatWindowMs?: number;
  /** How often to look for deliveries other processes recorded or left (default 10 s). */
  pollMs?: number;
  /** How long a claim holds a delivery for this process (default 2 min). */
  claimLeaseMs?: number;
  /** Deliveries in flight at once (default 4). */
  concurrency?: number;
  /** One request's time limit (default 10 s). */
  requestTimeoutMs?: number;
  /** Delivered and failed rows older than this are deleted (default 30 days). */
  retentionMs?: number;
  /** Alerts held in memory while the store cannot take them; more are dropped (default 10,000). */
  maxQueued?: number;
  /** Called once per outcome (a metrics hook; must not throw or block). */
  onDelivery?: (notifier: NotifierKind, outcome: DeliveryOutcomeKind) => void;
}

const DAY = 86_400_000;

/**
 * The notification outbox (AlertOutbox): `enqueue` only queues in memory and returns; the alert is
 * then recorded in the store (a repeat of the incident's latest delivery within the window is
 * dropped), claimed by one process, sent by its notifier, and retried with doubling backoff until
 * delivered or out of attempts — each attempt, error and next time recorded on its row. Pending
 * rows survive a restart and are claimed again (by any process on the database) once due.
 * Timers run on the injected clock.
 */
export class NotificationOutbox implements AlertOutbox {
  readonly id: string;
  readonly #o: Required<Omit<NotificationOutboxOptions, "onDelivery" | "id">> & Pick<NotificationOutboxOptions, "onDelivery">;
  readonly #http: HttpClient;
  #incoming: { declaration: NotifierDeclaration; alert: AlertContext }[] = [];
  #started = false;
  #stopped = false;
  /** Stopping: no new claims, but what is queued is still recorded. */
  #draining = false;
  #persisting = false;
  #claiming = false;
  #claimAgain = false;
  #inFlight = new Set<Promise<void>>();
  #cancelWake: (() => void) | null = null;
  #cancelPrune: (() => void) | null = null;
  #busy = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(options: NotificationOutboxOptions) {
    this.id = options.id ?? `outbox-${randomBytes(6).toString("hex")}`;
    this.#o = {
      notifiers: BUILT_IN_NOTIFIERS,
      maxAttempts: 8,
      firstRetryMs: 30_000,
      maxRetryMs: 3_600_000,
      repeatWindowMs: 300_000,
      pollMs: 10_000,
      claimLeaseMs: 120_000,
      concurrency: 4,
      requestTimeoutMs: 10_000,
      retentionMs: 30 * DAY,
      maxQueued: 10_000,
      ...options,
    };
    this.#http = new HttpClient(options.clock, this.#o.requestTimeoutMs);
  }

  /** O(1), never throws, never waits: the alert is recorded and sent in the background. */
  enqueue(declaration: NotifierDeclaration, alert: AlertContext): void {
    if (this.#stopped) {
      this.#o.logger.warn({ notifier: declaration.notifier, dagId: alert.dagId }, "notification dropped: the outbox is stopped");
      return;
    }
    if (this.#incoming.length >= this.#o.maxQueued) {
      this.#outcome(declaration.notifier, "dropped");
      this.#o.logger.warn(
        { notifier: declaration.notifier, dagId: alert.dagId, queued: this.#incoming.length },
        "notification dropped: the outbox's queue is full (the store is not taking them)",
      );
      return;
    }
    this.#incoming.push({ declaration, alert });
    if (this.#started) this.#persist();
  }

  /** Starts delivering: what is queued, what the store holds pending (from before a restart, or from other processes). */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#persist();
    this.#pump();
    this.#prune();
  }

  /**
   * Stops claiming; for up to `graceMs`, records what is queued (alerts raised while the scheduler
   * stopped) and lets deliveries in flight finish; then lets go of this process's claims. What is
   * recorded but not sent is sent by the next process.
   */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.#stopped || this.#draining) return;
    this.#draining = true;
    this.#cancelWake?.();
    this.#cancelPrune?.();
    if (this.#started) this.#persist();
    if (graceMs > 0) {
      let cancel = () => {};
      await Promise.race([this.idle(), new Promise<void>((resolve) => (cancel = this.#o.clock.setTimer(graceMs, resolve)))]);
      cancel();
    }
    this.#stopped = true;
    this.#cancelWake?.();
    await this.#o.store.releaseDeliveries(this.id).catch(() => {});
    if (this.#incoming.length > 0) this.#o.logger.warn({ queued: this.#incoming.length }, "notifications not recorded before stop were lost");
  }

  /** Resolves once nothing is queued, being recorded, claimed or sent (tests; a graceful stop). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle(): boolean {
    return this.#busy === 0 && this.#inFlight.size === 0 && (this.#incoming.length === 0 || !this.#started);
  }

  #settle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  async #track<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.#busy++;
    try {
      return await work();
    } finally {
      this.#busy--;
      queueMicrotask(() => this.#settle());
    }
  }

  /** Records queued alerts, one at a time, then wakes the delivery. */
  #persist(): void {
    if (this.#persisting || this.#stopped) return;
    this.#persisting = true;
    void this.#track(async () => {
      try {
        while (this.#incoming.length > 0 && !this.#stopped) {
          const next = this.#incoming[0]!;
          const now = this.#o.clock.now();
          let added: NotificationDelivery | null;
          try {
            added = await this.#o.store.addDelivery({ ...next, summary: summaryOf(next.alert), createdAt: now }, now - this.#o.repeatWindowMs);
          } catch (e) {
            this.#o.logger.warn({ err: (e as Error).message }, "cannot record a notification yet; trying again in 5 s");
            this.#wakeIn(5_000, () => this.#persist());
            return;
          }
          this.#incoming.shift();
          if (added === null) this.#outcome(next.declaration.notifier, "repeat");
        }
      } finally {
        this.#persisting = false;
      }
      this.#pump();
    });
  }

  /** Claims due deliveries up to the concurrency and sends them; when none is due, sleeps until the next is. */
  #pump(): void {
    if (this.#stopped || this.#draining || !this.#started) return;
    if (this.#claiming) {
      this.#claimAgain = true;
      return;
    }
    const room = this.#o.concurrency - this.#inFlight.size;
    if (room <= 0) return;
    this.#claiming = true;
    void this.#track(async () => {
      let claimed: NotificationDelivery[] = [];
      try {
        claimed = await this.#o.store.claimDeliveries(this.id, this.#o.clock.now(), this.#o.claimLeaseMs, room);
      } catch (e) {
        this.#o.logger.warn({ err: (e as Error).message }, "cannot claim notifications; trying again");
      } finally {
        this.#claiming = false;
      }
      if (this.#stopped) {
        if (claimed.length > 0) await this.#o.store.releaseDeliveries(this.id).catch(() => {});
        return;
      }
      for (const d of claimed) {
        const p: Promise<void> = this.#deliver(d).finally(() => {
          this.#inFlight.delete(p);
          this.#pump();
          queueMicrotask(() => this.#settle());
        });
        this.#inFlight.add(p);
      }
      if (claimed.length === room || this.#claimAgain) {
        this.#claimAgain = false;
        this.#pump();
      } else if (this.#inFlight.size === 0) {
        await this.#sleepUntilDue();
      }
    });
  }

  async #sleepUntilDue(): Promise<void> {
    let due: number | null = null;
    try {
      due = await this.#o.store.nextDeliveryDue();
    } catch {
      due = null;
    }
    const now = this.#o.clock.now();
    const wait = due === null ? this.#o.pollMs : Math.min(this.#o.pollMs, Math.max(due - now, 50));
    this.#wakeIn(wait, () => this.#pump());
  }

  #wakeIn(ms: number, fn: () => void): void {
    if (this.#stopped) return;
    this.#cancelWake?.();
    this.#cancelWake = this.#o.clock.setTimer(ms, () => {
      this.#cancelWake = null;
      fn();
    });
  }

  async #deliver(d: NotificationDelivery): Promise<void> {
    const attempts = d.attempts + 1;
    let connection: Connection | undefined;
    let target = d.target;
    try {
      const notifier = this.#o.notifiers[d.notifier];
      if (notifier === undefined) throw new DeliveryError(`no notifier "${d.notifier}" in this Baton`, false);
      connection = await this.#o.secrets.connection(d.connection);
      const result = await notifier.send({
        deliveryId: d.id,
        declaration: d.declaration,
        alert: d.alert,
        connection,
        http: this.#http,
        tickets: this.#o.store,
        now: () => this.#o.clock.now(),
      });
      target = result.target;
      await this.#finish(d, {
        state: "delivered",
        attempts,
        lastError: null,
        nextAttemptAt: null,
        target,
        externalRef: result.externalRef,
        at: this.#o.clock.now(),
      });
      this.#outcome(d.notifier, "delivered");
    } catch (e) {
      const error = e instanceof DeliveryError ? e : new DeliveryError((e as Error)?.message ?? String(e), !(e instanceof InvalidInputError));
      const message = clip(connection === undefined ? error.message : maskText(error.message, secretValuesOf(connection)), 2_000);
      const now = this.#o.clock.now();
      const again = error.retryable && attempts < this.#o.maxAttempts;
      const nextAttemptAt = again ? now + Math.max(retryDelayMs(attempts, this.#o.firstRetryMs, this.#o.maxRetryMs), error.retryAfterMs ?? 0) : null;
      await this.#finish(d, { state: again ? "pending" : "failed", attempts, lastError: message, nextAttemptAt, target, externalRef: d.externalRef, at: now });
      this.#outcome(d.notifier, again ? "retrying" : "failed");
      const fields = {
        notifier: d.notifier,
        connection: d.connection,
        dagId: d.dagId,
        runId: d.runId,
        taskId: d.taskId,
        event: d.event,
        delivery: d.id,
        attempts,
        err: message,
      };
      if (again) this.#o.logger.warn({ ...fields, nextAttemptAt: new Date(nextAttemptAt!).toISOString() }, "notification not delivered; will retry");
      else this.#o.logger.error(fields, "notification failed; giving up");
    }
  }

  async #finish(d: NotificationDelivery, outcome: Parameters<NotificationStore["finishDelivery"]>[2]): Promise<void> {
    try {
      const held = await this.#o.store.finishDelivery(d.id, this.id, outcome);
      if (!held) this.#o.logger.warn({ delivery: d.id }, "a notification's claim ran out while it was being sent; another process may send it again");
    } catch (e) {
      // The claim runs out and the delivery is tried again: at least once, never lost.
      this.#o.logger.warn({ delivery: d.id, err: (e as Error).message }, "cannot record a notification's attempt");
    }
  }

  #prune(): void {
    if (this.#stopped) return;
    void this.#o.store.pruneDeliveries(this.#o.clock.now() - this.#o.retentionMs).catch(() => {});
    this.#cancelPrune = this.#o.clock.setTimer(6 * 3_600_000, () => this.#prune());
  }

  #outcome(kind: NotifierKind, outcome: DeliveryOutcomeKind): void {
    try {
      this.#o.onDelivery?.(kind, outcome);
    } catch (e) {
      this.#o.logger.warn({ err: (e as Error).message }, "onDelivery hook failed; ignored");
    }
  }
}

/** One line for the list: the headline and, for a failure, its message. */
function summaryOf(alert: AlertContext): string {
  return clip(`${alertTitle(alert)}${alert.error === null || alert.error.message === "" ? "" : `: ${alert.error.message.split("\n")[0]}`}`, 300);
}
