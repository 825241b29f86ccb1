import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Attributes,
  type Context,
  type HrTime,
  type Span,
  type Tracer,
} from "@opentelemetry/api";
import type { IdGenerator } from "@opentelemetry/sdk-trace-base";
import type { AttemptStateChanged, DeadlineMissed, DomainEvent, RunStateChanged, TaskInstanceStateChanged } from "../core/model/domain-events.js";
import { FINISHED_TASK_STATES, type TaskState } from "../core/model/states.js";
import { attemptSpanIdOf, runSpanIdOf, taskSpanIdOf, traceIdOf } from "./span-ids.js";

/**
 * The SDK asks its id generator for every new span's id (and a root span's trace id): this one
 * hands out the ids planned for the span being started, so spans get the ids of span-ids.ts.
 */
export class PlannedIds implements IdGenerator {
  traceId = "";
  spanId = "";
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

/** Attempt states in which the attempt's try goes on (a sensor between pokes or handed to the triggerer). */
const ATTEMPT_GOES_ON: ReadonlySet<TaskState | null> = new Set<TaskState | null>(["none", "scheduled", "queued", "running", "deferred", "up_for_reschedule"]);
const FAILED: ReadonlySet<TaskState> = new Set<TaskState>(["failed", "up_for_retry"]);

interface Open {
  span: Span;
  /** The run the span belongs to (to close what is left when the run ends). */
  runPk: number;
}

/**
 * Turns the scheduler's domain events into spans: one per run (root), per task instance (child of
 * the run's) and per attempt (child of its task instance's), each started and ended at the times
 * the events carry. `listener` only queues the event (O(1)); the spans are made on the next turn
 * of the event loop and exported in batches by the provider's BatchSpanProcessor.
 *
 * Open spans live in memory until their end event; a span whose start this process did not see
 * (another scheduler started it, or this one restarted) is recorded from the first event it sees,
 * with `baton.start_unknown: true`. Ids come from span-ids.ts, so children recorded elsewhere
 * (the worker's spans, an earlier scheduler's attempts) still find their parents.
 */
export class RunSpans {
  #queue: DomainEvent[] = [];
  #scheduled = false;
  readonly #open = new Map<string, Open>();
  /** Span keys → the episode of their next span (a clear made a finished run or task instance run again). */
  readonly #episodes = new Map<string, number>();
  readonly #runEpisodes = new Map<number, number>();
  /** Run key → keys of its open task-instance and attempt spans. */
  readonly #byRun = new Map<number, Set<string>>();

  constructor(
    private readonly tracer: Tracer,
    private readonly ids: PlannedIds,
    private readonly serviceName: string,
  ) {}

  /** The domain-event subscriber: queues the event; never throws, never waits. */
  readonly listener = (event: DomainEvent): void => {
    this.#queue.push(event);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.drain);
  };

  /** Makes the spans of the queued events now (also called before shutting down). */
  readonly drain = (): void => {
    this.#scheduled = false;
    const events = this.#queue;
    this.#queue = [];
    for (const event of events) {
      if (event.kind === "run_state_changed") this.#run(event);
      else if (event.kind === "task_instance_state_changed") this.#task(event);
      else if (event.kind === "attempt_state_changed") this.#attempt(event);
      else this.#deadlineMissed(event);
    }
  };

  /** Spans not yet ended (for tests and diagnostics). */
  get openSpans(): number {
    return this.#open.size;
  }

  #run(e: RunStateChanged): void {
    const key = `r:${e.runPk}`;
    const finished = e.after === "success" || e.after === "failed";
    if ((e.before === "success" || e.before === "failed") && !finished) this.#episodes.set(key, e.at);
    let open = this.#open.get(key);
    if (open === undefined) {
      if (e.after === "queued") return; // waiting to start (again)
      const traceId = this.#traceId(e);
      const episode = this.#takeEpisode(key);
      this.#runEpisodes.set(e.runPk, episode);
      const span = this.#start(`run ${e.dagId}`, e.at, traceId, runSpanIdOf(traceId, episode), null, {
        "baton.dag_id": e.dagId,
        "baton.run_id": e.runId,
        ...(e.before === "queued" ? {} : { "baton.start_unknown": true }),
      });
      open = { span, runPk: e.runPk };
      this.#open.set(key, open);
    } else {
      open.span.addEvent(e.after, { "baton.state.before": e.before }, hr(e.at));
    }
    if (!finished && e.after !== "queued") return;
    // Queued again while running (cleared): the span ends here, the next one is another episode.
    if (!finished) this.#episodes.set(key, e.at);
    open.span.setAttribute("baton.state", e.after);
    if (e.after === "failed") fail(open.span, e.note ?? "run failed", e.at);
    open.span.end(hr(e.at));
    this.#open.delete(key);
    this.#runEpisodes.delete(e.runPk);
    this.#endChildrenOf(e.runPk, e.at);
  }

  #task(e: TaskInstanceStateChanged): void {
    const key = `t:${e.runPk}/${e.taskId}/${e.mapIndex}`;
    const finished = FINISHED_TASK_STATES.has(e.after);
    if (FINISHED_TASK_STATES.has(e.before) && !finished) this.#episodes.set(key, e.tryNumber);
    let open = this.#open.get(key);
    if (open === undefined) {
      if (e.after === "none") return;
      const traceId = this.#traceId(e);
      const parent = this.#open.get(`r:${e.runPk}`)?.span.spanContext().spanId ?? runSpanIdOf(traceId, this.#runEpisodes.get(e.runPk) ?? 0);
      const spanId = taskSpanIdOf(traceId, e.taskId, e.mapIndex, this.#takeEpisode(key));
      const span = this.#start(`task ${e.taskId}`, e.at, traceId, spanId, parent, {
        ...refAttributes(e),
        ...(e.before === "none" || e.before === "scheduled" || FINISHED_TASK_STATES.has(e.before) ? {} : { "baton.start_unknown": true }),
      });
      open = this.#openChild(key, span, e.runPk);
      if (e.before !== "none") span.addEvent(e.after, { "baton.state.before": e.before }, hr(e.at));
    } else {
      open.span.addEvent(e.after, { "baton.state.before": e.before }, hr(e.at));
    }
    // Back to `none` while open: cleared before it finished; the span ends there.
    if (!finished && e.after !== "none") return;
    if (!finished) this.#episodes.set(key, e.tryNumber);
    open.span.setAttributes({ "baton.state": e.after, "baton.try_number": e.tryNumber });
    if (e.after === "failed") fail(open.span, e.error ?? "task failed", e.at);
    open.span.end(hr(e.at));
    this.#closeChild(key, e.runPk);
  }

  #attempt(e: AttemptStateChanged): void {
    const key = `a:${e.runPk}/${e.taskId}/${e.mapIndex}/${e.tryNumber}`;
    const goesOn = ATTEMPT_GOES_ON.has(e.after);
    let open = this.#open.get(key);
    if (open === undefined) {
      const traceId = this.#traceId(e);
      const parent = this.#open.get(`t:${e.runPk}/${e.taskId}/${e.mapIndex}`)?.span.spanContext().spanId ?? taskSpanIdOf(traceId, e.taskId, e.mapIndex, 0);
      const span = this.#start(`attempt ${e.taskId}`, e.at, traceId, attemptSpanIdOf(traceId, e.taskId, e.mapIndex, e.tryNumber), parent, {
        ...refAttributes(e),
        ...(e.before === null ? {} : { "baton.start_unknown": true }),
      });
      open = this.#openChild(key, span, e.runPk);
    } else {
      open.span.addEvent(e.after, { "baton.state.before": e.before ?? "none" }, hr(e.at));
    }
    if (goesOn) return;
    open.span.setAttribute("baton.state", e.after);
    if (FAILED.has(e.after)) fail(open.span, e.error ?? `attempt ${e.after}`, e.at);
    open.span.end(hr(e.at));
    this.#closeChild(key, e.runPk);
  }

  /** A missed deadline is an event on the run's span (a run's deadline) or the late attempt's, when still open. */
  #deadlineMissed(e: DeadlineMissed): void {
    const key = e.taskId === null ? `r:${e.runPk}` : `a:${e.runPk}/${e.taskId}/${e.mapIndex}/${e.tryNumber}`;
    this.#open.get(key)?.span.addEvent("deadline_missed", { "baton.deadline": e.deadline, "baton.deadline.due_at": new Date(e.dueAt).toISOString() }, hr(e.at));
  }

  #traceId(e: { runPk: number; dagId: string; runId: string }): string {
    return traceIdOf(this.serviceName, e.runPk, e.dagId, e.runId);
  }

  #takeEpisode(key: string): number {
    const episode = this.#episodes.get(key) ?? 0;
    this.#episodes.delete(key);
    return episode;
  }

  #start(name: string, at: number, traceId: string, spanId: string, parentSpanId: string | null, attributes: Attributes): Span {
    this.ids.traceId = traceId;
    this.ids.spanId = spanId;
    const parent: Context =
      parentSpanId === null
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    return this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime: hr(at), attributes }, parent);
  }

  #openChild(key: string, span: Span, runPk: number): Open {
    const open = { span, runPk };
    this.#open.set(key, open);
    let keys = this.#byRun.get(runPk);
    if (keys === undefined) this.#byRun.set(runPk, (keys = new Set()));
    keys.add(key);
    return open;
  }

  #closeChild(key: string, runPk: number): void {
    this.#open.delete(key);
    const keys = this.#byRun.get(runPk);
    keys?.delete(key);
    if (keys?.size === 0) this.#byRun.delete(runPk);
  }

  /** A run ended: spans of its task instances and attempts still open will get no end event. */
  #endChildrenOf(runPk: number, at: number): void {
    const keys = this.#byRun.get(runPk);
    if (keys === undefined) return;
    this.#byRun.delete(runPk);
    for (const key of keys) {
      const open = this.#open.get(key);
      this.#open.delete(key);
      open?.span.setAttribute("baton.ended_with_run", true);
      open?.span.end(hr(at));
    }
  }
}

function refAttributes(e: TaskInstanceStateChanged | AttemptStateChanged): Attributes {
  return {
    "baton.dag_id": e.dagId,
    "baton.run_id": e.runId,
    "baton.task_id": e.taskId,
    "baton.map_index": e.mapIndex,
    "baton.try_number": e.tryNumber,
  };
}

/** Error status and an `exception` event (OTel semantic conventions) carrying the error text. */
function fail(span: Span, error: string, at: number): void {
  const message = error.split("\n", 1)[0] ?? error;
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.addEvent("exception", { "exception.type": "BatonError", "exception.message": message, "exception.stacktrace": error }, hr(at));
}

/** Epoch ms as OTel's [seconds, nanoseconds]: a plain number below the process's time origin would be read as relative to it. */
function hr(at: number): HrTime {
  const seconds = Math.floor(at / 1000);
  return [seconds, Math.round((at - seconds * 1000) * 1e6)];
}
