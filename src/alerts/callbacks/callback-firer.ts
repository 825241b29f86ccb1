import { LRUCache } from "lru-cache";
import { buildAlert, dedupKeyOf, severityOf, type AlertLinks } from "../../core/alerts/build-alert.js";
import { callbacksOf, firingOf, type Firing } from "../../core/alerts/callback-firing.js";
import type { AlertContext, AlertEvent, AlertOutbox, NotifierDeclaration } from "../../core/model/alerts.js";
import { effectivePolicy, routedNotifiers, type AlertPolicySpec, type AlertRouting } from "../../core/model/alert-policy.js";
import { DEFAULT_CALLBACK_TIMEOUT_MS, type CallbackTarget } from "../../core/model/callbacks.js";
import type { DagSpec } from "../../core/model/dag-spec.js";
import type { DomainEvent, DomainEventListener } from "../../core/model/domain-events.js";
import type { DagVersionRecord, RunRecord } from "../../core/model/records.js";
import { resolveParams } from "../../core/params/resolve-params.js";
import type { CallbackKey, CallbackStore } from "../../core/ports/callback-store.js";
import type { Clock } from "../../core/ports/clock.js";
import type { CallbackOutcome, CallbackRequest, Executor } from "../../core/ports/executor.js";
import type { Logger } from "../../core/ports/logger.js";
import type { Store } from "../../core/ports/store.js";
import { consecutiveFailures } from "./consecutive-failures.js";

export interface CallbackFirerDeps {
  store: Pick<Store, "getRunById" | "getDagVersion" | "listRuns">;
  callbacks: CallbackStore;
  /** Runs callback functions in a worker process; without `runCallback`, functions are logged as not run. */
  executor: Pick<Executor, "runCallback">;
  /** Where notifier declarations' alerts go; null: logged as not sent. */
  outbox: AlertOutbox | null;
  routing: AlertRouting;
  links: AlertLinks;
  /** Log files: an attempt's (task-level callbacks write there) and a run's callback log. */
  logPaths: {
    attempt(run: Pick<RunRecord, "dagId" | "runId">, taskId: string, tryNumber: number, mapIndex: number): string;
    run(run: Pick<RunRecord, "dagId" | "runId">): string;
  };
  /** Who claims (the scheduler's id), recorded with each claim. */
  claimer: string;
  clock: Clock;
  logger: Logger;
  /** Firings waiting at most; more are dropped with a warning (default 10,000). */
  maxQueued?: number;
}

/** While it fires, the claimant refreshes its claim this often (docs/alerts.md, "Once, across schedulers"). */
export const CLAIM_RENEW_MS = 15_000;
/** A `running` claim not refreshed for this long was lost with its process: the sweep takes it over. */
export const CLAIM_STALE_MS = 60_000;

/** What a firing does, decided before it is claimed. */
interface FiringPlan {
  targets: CallbackTarget[];
  policy: AlertPolicySpec;
  policyTargets: NotifierDeclaration[];
  watchesIncidents: boolean;
  retrySucceeded: NotifierDeclaration[];
}

interface Loaded {
  run: RunRecord;
  version: DagVersionRecord;
}

/**
 * Fires callbacks and alert policies from the scheduler's domain events (docs/alerts.md).
 *
 * The subscriber ({@link listener}) is O(1) and never blocks: it maps the event to a firing
 * (`core/alerts/callback-firing.ts`) and queues it. The work happens after, off the scheduler's
 * turn, one run's firings in order: read the run and its DAG version (cached), pick the callbacks,
 * CLAIM the firing in the database (insert-if-absent on run, task, map index, try, event: of
 * several schedulers, or a scheduler and its successor, one fires), then run the functions in a
 * worker (the executor's `runCallback`, time-limited), hand the notifiers' alerts to the outbox,
 * apply the DAG's alert policy, and record how it went on the claim (the callback log). Nothing
 * here changes a run: a callback's failure or timeout is logged and recorded, nothing more.
 */
export class CallbackFirer {
  readonly #deps: CallbackFirerDeps;
  readonly #runs = new LRUCache<number, RunRecord>({ max: 512 });
  readonly #versions = new LRUCache<string, DagVersionRecord>({ max: 64 });
  /** The tail of each run's chain of firings, so one run's callbacks fire in order. */
  readonly #chains = new Map<number, Promise<void>>();
  #queued = 0;
  #idle: (() => void)[] = [];

  constructor(deps: CallbackFirerDeps) {
    this.#deps = deps;
  }

  /** Subscribe with `scheduler.onDomainEvent(firer.listener)`. */
  readonly listener: DomainEventListener = (event: DomainEvent) => {
    const firing = firingOf(event);
    if (firing !== null) this.#enqueue(firing);
  };

  /**
   * Queues a firing found otherwise than from a domain event (the sweep, `callback-sweep.ts`);
   * claimed before it fires. `retake`: the firing has a `running` claim nobody refreshed for
   * {@link CLAIM_STALE_MS} (its claimant died while firing); it is taken over instead of claimed.
   */
  fire(firing: Firing, retake = false): void {
    this.#enqueue(firing, retake);
  }

  /**
   * Fires `onDeadlineMissed` for a missed deadline (what the `deadline_missed` domain event
   * carries); for a publisher that calls it directly instead of through the domain events.
   */
  fireDeadlineMissed(miss: {
    dagId: string;
    runId: string;
    runPk: number;
    taskId: string | null;
    mapIndex: number;
    tryNumber: number;
    deadline: string;
    dueAt: number;
    at: number;
  }): void {
    this.listener({ kind: "deadline_missed", ...miss } as unknown as DomainEvent);
  }

  /**
   * Fires `onAnomaly` for an anomaly this process recorded (its insert won; docs/anomalies.md).
   * A run-level anomaly (task id '', the `landing` metric) goes to the DAG's run-level firing.
   */
  fireAnomaly(a: {
    id: number;
    dagId: string;
    runId: string;
    runPk: number;
    taskId: string;
    mapIndex: number;
    tryNumber: number;
    metric: string;
    value: number;
    median: number;
    mad: number;
    score: number;
    points: number;
    season: string;
    detectedAt: number;
  }): void {
    const anomaly = { id: a.id, metric: a.metric, value: a.value, median: a.median, mad: a.mad, score: a.score, points: a.points, season: a.season };
    this.#enqueue({
      event: "anomaly",
      dagId: a.dagId,
      runId: a.runId,
      runPk: a.runPk,
      taskId: a.taskId === "" ? null : a.taskId,
      mapIndex: a.mapIndex,
      tryNumber: a.tryNumber,
      state: "anomaly",
      error: null,
      at: a.detectedAt,
      anomaly,
    });
  }

  /** Resolves once every queued firing is done (tests, graceful stop). */
  idle(): Promise<void> {
    if (this.#queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Waits up to `graceMs` for the firings under way (they are lost if the process ends first). */
  async stop(graceMs: number): Promise<void> {
    let cancel: (() => void) | null = null;
    await Promise.race([this.idle(), new Promise<void>((resolve) => (cancel = this.#deps.clock.setTimer(graceMs, resolve)))]);
    (cancel as (() => void) | null)?.();
  }

  #enqueue(firing: Firing, retake = false): void {
    if (this.#queued >= (this.#deps.maxQueued ?? 10_000)) {
      this.#deps.logger.warn(
        { dagId: firing.dagId, runId: firing.runId, taskId: firing.taskId, event: firing.event },
        "too many callbacks waiting; this one is dropped",
      );
      return;
    }
    this.#queued++;
    const previous = this.#chains.get(firing.runPk) ?? Promise.resolve();
    const next = previous
      .then(() => this.#fire(firing, retake))
      .catch((err: unknown) =>
        this.#deps.logger.error(
          { err, dagId: firing.dagId, runId: firing.runId, taskId: firing.taskId, event: firing.event },
          "callback firing failed; ignored",
        ),
      )
      .finally(() => {
        if (this.#chains.get(firing.runPk) === next) this.#chains.delete(firing.runPk);
        if (--this.#queued === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
    this.#chains.set(firing.runPk, next);
  }

  async #fire(firing: Firing, retake: boolean): Promise<void> {
    const loaded = await this.#load(firing);
    if (loaded === undefined) return;
    const { run, version } = loaded;
    const spec = version.spec;
    const targets = callbacksOf(spec, firing);
    const policy = effectivePolicy(spec.alertPolicy, this.#deps.routing);
    const policyTargets = firing.taskId === null ? this.#policyTargets(spec, policy) : [];
    const watchesIncidents = policyTargets.length > 0 || this.#hasFailureNotifiers(spec, firing);
    const retrySucceeded =
      firing.event === "success" && firing.taskId !== null && firing.tryNumber > 1 ? notifiersOf(callbacksOf(spec, { ...firing, event: "retry" })) : [];
    const relevant =
      targets.length > 0 ||
      (firing.event === "failure" && policyTargets.length > 0) ||
      (firing.event === "success" && (watchesIncidents || retrySucceeded.length > 0));
    if (!relevant) return;

    // A run cleared and run again ends again under the same id: its end is told apart by its start.
    // Each missed deadline of a run (a DAG may have several) is its own firing.
    const event =
      firing.event === "deadline_missed"
        ? `deadline_missed:${firing.deadline ?? ""}`
        : firing.event === "anomaly"
          ? `anomaly:${firing.anomaly?.metric ?? ""}`
          : firing.taskId === null
            ? `${firing.event}@${(await this.#deps.store.getRunById(firing.runPk))?.startedAt ?? 0}`
            : firing.event;
    const key: CallbackKey = { runPk: firing.runPk, taskId: firing.taskId, mapIndex: firing.mapIndex, tryNumber: firing.tryNumber, event };
    const { clock, callbacks, logger, claimer } = this.#deps;
    if (retake) {
      if (!(await callbacks.retakeCallback(key, claimer, clock.now(), clock.now() - CLAIM_STALE_MS))) return;
      logger.warn(
        { dagId: firing.dagId, runId: firing.runId, taskId: firing.taskId, event: firing.event },
        "callback claim taken over: its claimant stopped refreshing it while firing (died?); firing again",
      );
    } else if (!(await callbacks.claimCallback(key, { dagId: firing.dagId, runId: firing.runId }, claimer, clock.now()))) return;
    const stopRenewing = this.#renewWhileFiring(key);
    try {
      await this.#fireClaimed(firing, key, run, version, { targets, policy, policyTargets, watchesIncidents, retrySucceeded });
    } finally {
      stopRenewing();
    }
  }

  /** Refreshes the claim every {@link CLAIM_RENEW_MS} until the returned function is called. */
  #renewWhileFiring(key: CallbackKey): () => void {
    const { clock, callbacks, claimer, logger } = this.#deps;
    let cancel: (() => void) | null = null;
    let stopped = false;
    const schedule = () => {
      cancel = clock.setTimer(CLAIM_RENEW_MS, () => {
        callbacks
          .renewCallback(key, claimer, clock.now())
          .then((held) => {
            if (!held) logger.warn({ runPk: key.runPk, taskId: key.taskId, event: key.event }, "callback claim taken over by another scheduler while firing");
          })
          .catch((err: unknown) => logger.warn({ err }, "could not refresh a callback claim; trying again"))
          .finally(() => {
            if (!stopped) schedule();
          });
      });
    };
    schedule();
    return () => {
      stopped = true;
      cancel?.();
    };
  }

  async #fireClaimed(firing: Firing, key: CallbackKey, run: RunRecord, version: DagVersionRecord, plan: FiringPlan): Promise<void> {
    const { clock, callbacks, logger } = this.#deps;
    const spec = version.spec;
    const { targets, policy, policyTargets, watchesIncidents, retrySucceeded } = plan;

    const problems: string[] = [];
    let timedOut = false;
    const alert = (event: AlertEvent, severity = severityOf(event, policy.severity)) =>
      buildAlert(firing, event, { owner: spec.owner, tags: spec.tags }, this.#deps.links, severity);

    // Functions first, each in a worker, one after another (in declaration order).
    for (const target of targets) {
      if (target.kind !== "function") continue;
      const outcome = await this.#runFunction(target.index, firing, run, version);
      if (outcome.status !== "ok") {
        timedOut ||= outcome.status === "timed_out";
        problems.push(`${target.name ?? `function #${target.index}`}: ${outcome.error}`);
        logger.warn(
          {
            dagId: firing.dagId,
            runId: firing.runId,
            taskId: firing.taskId,
            mapIndex: firing.mapIndex,
            tryNumber: firing.tryNumber,
            event: firing.event,
            callback: target.name,
            status: outcome.status,
            error: outcome.error,
          },
          "callback failed; the run is not affected",
        );
      }
    }

    const notifiers = notifiersOf(targets);
    const dedupKey = dedupKeyOf(firing.dagId, firing.taskId);
    if (firing.event === "failure" || firing.event === "deadline_missed") {
      this.#send(notifiers, alert(firing.event));
      // The callbacks' own notifiers always hear of a failure; they also join the incident, so its recovery reaches them.
      if (firing.event === "failure" && notifiers.length > 0) await callbacks.alertIncident(dedupKey, firing.dagId, notifiers, firing.at, 0);
      if (firing.event === "failure" && policyTargets.length > 0) await this.#policyFailure(firing, run, policy, policyTargets, alert);
    } else if (firing.event === "success") {
      this.#send(notifiers, alert("success"));
      if (retrySucceeded.length > 0) this.#send(retrySucceeded, alert("retry_succeeded", "info"));
      if (watchesIncidents && policy.resolveOnRecovery) {
        const incident = await callbacks.resolveIncident(dedupKey, firing.at);
        if (incident !== undefined) this.#send(incident.targets, alert("recovered", "info"));
      }
    } else {
      this.#send(notifiers, alert(firing.event));
    }
    await callbacks.finishCallback(
      key,
      problems.length === 0 ? "ok" : timedOut ? "timed_out" : "failed",
      problems.length === 0 ? null : problems.join("\n"),
      clock.now(),
    );
  }

  /** Alert after N failed runs in a row; repeats only when the policy's interval passed (one winner across schedulers). */
  async #policyFailure(
    firing: Firing,
    run: RunRecord,
    policy: AlertPolicySpec,
    targets: NotifierDeclaration[],
    alert: (e: AlertEvent, s?: AlertContext["severity"]) => AlertContext,
  ): Promise<void> {
    const failures = await consecutiveFailures(this.#deps.store, run, policy.afterConsecutiveFailures);
    if (failures < policy.afterConsecutiveFailures) return;
    const due = await this.#deps.callbacks.alertIncident(dedupKeyOf(firing.dagId, null), firing.dagId, targets, firing.at, policy.repeatEveryMs);
    if (due) this.#send(targets, alert("failure", policy.severity));
  }

  #policyTargets(spec: DagSpec, policy: AlertPolicySpec): NotifierDeclaration[] {
    const routed = routedNotifiers(this.#deps.routing, { dagId: spec.dagId, tags: spec.tags, owner: spec.owner }, policy.severity);
    const seen = new Set<string>();
    return [...policy.notify, ...routed].filter((n) => {
      const k = JSON.stringify(n);
      return seen.has(k) ? false : (seen.add(k), true);
    });
  }

  #hasFailureNotifiers(spec: DagSpec, firing: Firing): boolean {
    return notifiersOf(callbacksOf(spec, { ...firing, event: "failure", state: "failed" })).length > 0;
  }

  #send(declarations: readonly NotifierDeclaration[], alert: AlertContext): void {
    if (declarations.length === 0) return;
    const outbox = this.#deps.outbox;
    if (outbox === null) {
      this.#deps.logger.warn({ dagId: alert.dagId, runId: alert.runId, event: alert.event }, "no notification outbox; alert not sent");
      return;
    }
    for (const d of declarations) {
      try {
        outbox.enqueue(d, alert);
      } catch (err) {
        this.#deps.logger.error({ err, notifier: d.notifier, dagId: alert.dagId }, "the notification outbox refused an alert");
      }
    }
  }

  async #runFunction(index: number, firing: Firing, run: RunRecord, version: DagVersionRecord): Promise<CallbackOutcome> {
    const runCallback = this.#deps.executor.runCallback?.bind(this.#deps.executor);
    if (runCallback === undefined) return { status: "failed", error: "this executor cannot run callback functions" };
    const spec = version.spec;
    const { logPaths, links } = this.#deps;
    const built = buildAlert(firing, firing.event, { owner: spec.owner, tags: spec.tags }, links, "info");
    const request: CallbackRequest = {
      callbackId: `${firing.runPk}/${firing.taskId ?? "run"}/${firing.mapIndex}/${firing.tryNumber}/${firing.event}#${index}`,
      bundlePath: version.bundlePath,
      dagId: firing.dagId,
      index,
      context: {
        event: firing.event,
        dagId: firing.dagId,
        runId: firing.runId,
        logicalDate: run.logicalDate,
        taskId: firing.taskId,
        mapIndex: firing.mapIndex,
        tryNumber: firing.tryNumber,
        state: firing.state,
        error:
          built.error ?? (firing.error === null ? null : { message: firing.error.split("\n")[0]!, stack: firing.error.includes("\n") ? firing.error : null }),
        runUrl: built.runUrl,
        logUrl: built.logUrl,
        ...(built.anomaly === undefined ? {} : { anomaly: built.anomaly }),
        params: paramsOf(spec, run),
        conf: run.conf,
      },
      timeoutMs: spec.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS,
      logPath: firing.taskId !== null && firing.tryNumber > 0 ? logPaths.attempt(run, firing.taskId, firing.tryNumber, firing.mapIndex) : logPaths.run(run),
    };
    try {
      return await runCallback(request);
    } catch (e) {
      return { status: "failed", error: e instanceof Error ? e.message : String(e) };
    }
  }

  async #load(firing: Firing): Promise<Loaded | undefined> {
    let run = this.#runs.get(firing.runPk);
    if (run === undefined) {
      run = await this.#deps.store.getRunById(firing.runPk);
      if (run === undefined) return undefined;
      this.#runs.set(firing.runPk, run);
    }
    let version = this.#versions.get(run.dagVersion);
    if (version === undefined) {
      version = await this.#deps.store.getDagVersion(run.dagVersion);
      if (version === undefined) return undefined;
      this.#versions.set(run.dagVersion, version);
    }
    return { run, version };
  }
}

function notifiersOf(targets: readonly CallbackTarget[]): NotifierDeclaration[] {
  return targets.flatMap((t) => (t.kind === "notifier" ? [t.notifier] : []));
}

/** The run's params as its tasks saw them (defaults + conf, validated); the raw merge when they no longer validate. */
function paramsOf(spec: DagSpec, run: RunRecord): Record<string, unknown> {
  try {
    return resolveParams(spec.paramsSchema, spec.paramsDefaults, run.conf);
  } catch {
    return { ...spec.paramsDefaults, ...run.conf };
  }
}
