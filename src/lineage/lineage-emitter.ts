import { LRUCache } from "lru-cache";
import type { Connection } from "../core/model/connection.js";
import type { DagSpec } from "../core/model/dag-spec.js";
import type { AttemptStateChanged, DomainEvent, RunStateChanged } from "../core/model/domain-events.js";
import type { Clock } from "../core/ports/clock.js";
import type { Logger } from "../core/ports/logger.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import type { Store } from "../core/ports/store.js";
import { templateVariables } from "../core/templating/template-variables.js";
import { attemptEvent, attemptEventType, dagRunEvent, runEventType, type EmitterIdentity, type RunFacts } from "./build-events.js";
import type { RunEvent } from "./openlineage-types.js";
import { taskFacts } from "./task-facts.js";
import type { LineageTransport } from "./transports.js";

export interface LineageEmitterOptions {
  store: Pick<Store, "getRun" | "getDagVersion">;
  /** Resolves operators' connection ids to name their datasources; null: only URIs are named. */
  secrets: SecretsResolver | null;
  transport: LineageTransport;
  identity: EmitterIdentity;
  clock: Clock;
  logger: Logger;
  /** Domain events waiting to be turned into lineage at most; more are dropped (with a warning). Default 10,000. */
  maxQueue?: number;
  /** Attempts to deliver one event (HTTP) before it is dropped. Default 3. */
  maxTries?: number;
  /** Delay before the first retry, doubled after each. Default 1,000 ms. */
  retryDelayMs?: number;
}

/** How long between two warnings about dropped events. */
const WARN_EVERY_MS = 60_000;

/**
 * Turns the scheduler's domain events into OpenLineage run events, off the scheduler's path:
 * {@link listener} only appends to a bounded queue (O(1)); one asynchronous loop reads what it
 * needs (the run, its DAG version, connections — each cached), builds the events and sends them
 * one at a time, in order. A slow or failing endpoint delays and, after `maxTries`, drops lineage
 * with a logged warning; it never blocks or fails a run.
 */
export class LineageEmitter {
  readonly #o: Required<Omit<LineageEmitterOptions, "secrets">> & { secrets: SecretsResolver | null };
  readonly #queue: (AttemptStateChanged | RunStateChanged)[] = [];
  #head = 0;
  #working: Promise<void> | null = null;
  #closed = false;
  readonly #runs = new LRUCache<number, RunFacts & { spec: DagSpec | null; conf: Record<string, unknown>; version: string }>({ max: 1000 });
  readonly #specs = new LRUCache<string, { spec: DagSpec | null }>({ max: 64 });
  readonly #conns = new LRUCache<string, { conn: Connection | null }>({ max: 256, ttl: 60_000 });
  /** Attempts (by lineage key) waiting as sensors: their next start is RUNNING, not a second START. */
  readonly #waiting = new LRUCache<string, true>({ max: 10_000 });
  #dropped = 0;
  #lastWarnAt = -Infinity;
  /** Events delivered / dropped so far (for tests and logs). */
  readonly stats = { sent: 0, dropped: 0 };

  constructor(options: LineageEmitterOptions) {
    this.#o = { maxQueue: 10_000, maxTries: 3, retryDelayMs: 1_000, ...options };
  }

  /** The domain-event subscriber: O(1), never throws, never waits. */
  readonly listener = (event: DomainEvent): void => {
    // Attempts and runs are lineage's runs; a task instance's own changes add nothing to them.
    if (this.#closed || (event.kind !== "attempt_state_changed" && event.kind !== "run_state_changed")) return;
    if (this.#queue.length - this.#head >= this.#o.maxQueue) {
      this.#drop("the lineage queue is full");
      return;
    }
    this.#queue.push(event);
    this.#kick();
  };

  /** Starts the sending loop unless it runs; an event queued as it was finishing starts it again. */
  #kick(): void {
    if (this.#working !== null) return;
    this.#working = this.#drain().finally(() => {
      this.#working = null;
      if (this.#head < this.#queue.length) this.#kick();
    });
  }

  /** Stops taking events and waits (at most `timeoutMs`) for the queued ones to be sent. */
  async close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    if (this.#working === null) return;
    let cancel = () => {};
    const timeout = new Promise<void>((resolve) => {
      cancel = this.#o.clock.setTimer(timeoutMs, resolve);
    });
    await Promise.race([this.idle(), timeout]);
    cancel();
  }

  /** Resolves once everything queued so far has been handled (tests). */
  async idle(): Promise<void> {
    while (this.#working !== null) await this.#working;
  }

  async #drain(): Promise<void> {
    while (this.#head < this.#queue.length) {
      const event = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as RunStateChanged;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      let lineage: RunEvent | null = null;
      try {
        lineage = event.kind === "run_state_changed" ? await this.#runEvent(event) : await this.#attemptEvent(event);
      } catch (e) {
        this.#o.logger.warn(
          { err: e instanceof Error ? e.message : String(e), dagId: event.dagId, runId: event.runId },
          "could not build an OpenLineage event; skipped",
        );
      }
      if (lineage !== null) await this.#send(lineage);
    }
  }

  async #runEvent(e: RunStateChanged): Promise<RunEvent | null> {
    const type = runEventType(e);
    if (type === null) return null;
    const run = await this.#runFacts(e.dagId, e.runId, e.runPk);
    return run === null ? null : dagRunEvent(this.#o.identity, type, e.at, run, e.note);
  }

  async #attemptEvent(e: AttemptStateChanged): Promise<RunEvent | null> {
    const key = `${e.runPk}\u0000${e.taskId}\u0000${e.mapIndex}\u0000${e.tryNumber}`;
    const resumed = e.after === "running" && this.#waiting.has(key);
    const type = attemptEventType(e, resumed);
    if (type === null) return null;
    if (e.after === "up_for_reschedule" || e.after === "deferred") this.#waiting.set(key, true);
    else if (e.after !== "running") this.#waiting.delete(key);
    const run = await this.#runFacts(e.dagId, e.runId, e.runPk);
    if (run === null) return null;
    const task = run.spec?.tasks.find((t) => t.taskId === e.taskId);
    const vars = templateVariables({
      dagId: e.dagId,
      runId: e.runId,
      taskId: e.taskId,
      tryNumber: e.tryNumber,
      logicalDate: run.logicalDate,
      dataIntervalStart: run.dataIntervalStart,
      dataIntervalEnd: run.dataIntervalEnd,
      timezone: run.spec?.timezone ?? "UTC",
      params: { ...(run.spec?.paramsDefaults ?? {}), ...run.conf },
      conf: run.conf,
    });
    const facts = task ? await taskFacts(task, vars, (c) => this.#connection(c)) : { inputs: [], outputs: [], sql: null };
    return attemptEvent(this.#o.identity, type, e, run, facts);
  }

  async #runFacts(dagId: string, runId: string, runPk: number) {
    const cached = this.#runs.get(runPk);
    if (cached && cached.dagId === dagId && cached.runId === runId) return cached;
    const record = await this.#o.store.getRun(dagId, runId);
    if (!record) return null;
    const spec = await this.#spec(record.dagVersion);
    const facts = {
      dagId,
      runId,
      logicalDate: record.logicalDate,
      dataIntervalStart: record.dataIntervalStart,
      dataIntervalEnd: record.dataIntervalEnd,
      fileloc: spec?.fileloc ?? null,
      parent: await this.#parentOf(runId),
      spec,
      conf: record.conf,
      version: record.dagVersion,
    };
    this.#runs.set(runPk, facts);
    return facts;
  }

  async #spec(hash: string): Promise<DagSpec | null> {
    const cached = this.#specs.get(hash);
    if (cached) return cached.spec;
    const spec = (await this.#o.store.getDagVersion(hash))?.spec ?? null;
    this.#specs.set(hash, { spec });
    return spec;
  }

  /**
   * The run that triggered this one, when its id is `triggerDag`'s default
   * (`triggered__<dagId>.<taskId>[.<mapIndex>]__<runId>`) and that run exists.
   */
  async #parentOf(runId: string): Promise<{ dagId: string; runId: string } | null> {
    const m = /^triggered__(.+?)__(.+)$/.exec(runId);
    if (m === null) return null;
    const [, dagAndTask, parentRunId] = m as unknown as [string, string, string];
    for (let i = dagAndTask.indexOf("."); i > 0; i = dagAndTask.indexOf(".", i + 1)) {
      const dagId = dagAndTask.slice(0, i);
      if (await this.#o.store.getRun(dagId, parentRunId)) return { dagId, runId: parentRunId };
    }
    return null;
  }

  async #connection(conn: string): Promise<Connection | null> {
    const cached = this.#conns.get(conn);
    if (cached) return cached.conn;
    let found: Connection | null = null;
    try {
      if (this.#o.secrets) found = await this.#o.secrets.connection(conn);
    } catch {
      found = null; // unknown connection: its datasets are left out
    }
    this.#conns.set(conn, { conn: found });
    return found;
  }

  async #send(event: RunEvent): Promise<void> {
    const tries = this.#o.transport.kind === "http" ? this.#o.maxTries : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#o.transport.send(event);
        this.stats.sent++;
        return;
      } catch (e) {
        if (attempt >= tries || this.#closed) {
          this.#drop(e instanceof Error ? e.message : String(e));
          return;
        }
        await new Promise<void>((resolve) => this.#o.clock.setTimer(this.#o.retryDelayMs * 2 ** (attempt - 1), resolve));
      }
    }
  }

  #drop(reason: string): void {
    this.stats.dropped++;
    this.#dropped++;
    const now = this.#o.clock.now();
    if (now - this.#lastWarnAt < WARN_EVERY_MS) return;
    this.#lastWarnAt = now;
    this.#o.logger.warn({ reason, dropped: this.#dropped, transport: this.#o.transport.kind }, "OpenLineage events dropped");
    this.#dropped = 0;
  }
}
