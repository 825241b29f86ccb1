import { hostname } from "node:os";
import { join } from "node:path";
import { BatonError } from "../../core/errors.js";
import type { EpochMs } from "../../core/model/records.js";
import type { AttemptOutcome, AttemptReport, AttemptRequest } from "../../core/ports/executor.js";
import { appendAttemptEnd, cancelledOutcome } from "../../executor/attempt-end.js";
import { LocalProcessExecutor } from "../../executor/local-process-executor.js";
import { bundleHashOf, WORKER_PROTOCOL_VERSION, type FinishedReport, type ServerMessage, type WireRemoteAttempt, type WorkerMessage } from "../protocol.js";
import { ReceivedRunParts } from "../run-parts.js";
import { BundleCache, BundleError } from "./bundle-cache.js";
import { ChannelRequests } from "./channel-requests.js";
import { LogSpool } from "./log-spool.js";
import { WorkerChannel, WorkerRefusedError } from "./worker-channel.js";
import { connectUrlOf, localSdkRoot, newWorkerId, resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerAgentOptions } from "./worker-options.js";

/** How often new log bytes of running attempts are sent. */
const TAIL_MS = 200;
/**
 * Attempts each warm process holds (LocalProcessExecutor's `prefetch`): the one it runs and the
 * next ones, so it goes from one to the next without waiting for this process, and short tasks
 * cost fewer messages and wake-ups (2 → 4: −20 % of the task processes' CPU per attempt on the
 * remote fan-out, docs/benchmark.md "Remote fan-out (issue 11, session 10)"). The rest of what the
 * worker holds waits here. A `recall` gives back both those and the ones a process holds but has
 * not started (LocalProcessExecutor.giveBack).
 */
const PROCESS_PREFETCH = 4;
/**
 * How long a `started` may wait to go with the worker's next frame (a short attempt's `finished`,
 * usually: one write for both). The server writes a start only 50 ms after it comes anyway
 * (WorkerHub's STARTED_DELAY_MS), unless a request of the attempt needs it (docs/workers.md, "Frames").
 */
const STARTED_HOLD_MS = 20;

/**
 * An attempt this worker holds: its bundle being fetched, waiting here for room in the
 * executor, in the executor, or running.
 */
interface Held {
  /** As the server sent it. */
  readonly request: AttemptRequest;
  readonly spool: LogSpool;
  state: "fetching" | "waiting" | "submitted" | "running";
  /** The request to submit, with the cached bundle's path (set once fetched). */
  ready: AttemptRequest | null;
  startedAt: EpochMs | null;
  pid: number | null;
  /** Whether the server was told it started (not when the connection was down at the time). */
  startedSent: boolean;
}

/** A result kept until the server acknowledges it. */
interface Unacked {
  readonly report: FinishedReport;
  readonly spool: LogSpool;
  /** Whether the whole log went to the server (not when the attempt ended while disconnected). */
  logSent: boolean;
}

/** An attempt the server took away (drop, not in `keep`) while the executor still stops it. */
interface Dropped {
  readonly spool: LogSpool;
  /** The same attempt sent again meanwhile: submitted once the old one is gone. */
  next: AttemptRequest | null;
}

/**
 * `baton worker`'s engine (docs/workers.md#running-a-worker): one WebSocket to the API server
 * (src/remote/protocol.ts), attempts run by a LocalProcessExecutor with `concurrency` warm
 * processes, bundles fetched by hash and cached, logs spooled and streamed, connections and
 * variables asked over the channel (never written to disk).
 *
 * Results are kept until the server acknowledges them and re-sent in `hello` after a reconnection,
 * with the attempts still held; after `welcome`, attempts the server no longer counts as this
 * worker's (not in `keep`) are stopped and forgotten. {@link drain} stops taking work, hands back
 * what has not started, lets running attempts finish within `graceMs` and delivers their results.
 *
 * @example
 * const agent = new WorkerAgent({ server: "https://baton.example.com", token: new Secret(token), queues: ["gpu"] });
 * await agent.start();
 * process.once("SIGTERM", () => void agent.drain());
 * await agent.done; // rejects with WorkerRefusedError when the server refuses the token
 */
export class WorkerAgent {
  readonly workerId = newWorkerId();
  readonly options: ResolvedWorkerOptions;
  /** Resolves when the worker has drained and stopped; rejects when the server refused it for good. */
  readonly done: Promise<void>;

  readonly #startedAt: EpochMs;
  readonly #channel: WorkerChannel;
  readonly #requests: ChannelRequests;
  readonly #bundles: BundleCache;
  readonly #executor: LocalProcessExecutor;
  readonly #logsDir: string;
  readonly #held = new Map<string, Held>();
  readonly #unacked = new Map<string, Unacked>();
  readonly #dropped = new Map<string, Dropped>();
  /** Fetched attempts waiting for room in the executor, oldest first. */
  readonly #waiting: Held[] = [];
  /** Attempts in the executor (submitted or running). */
  #inExecutor = 0;
  readonly #executorRoom: number;
  /** Started attempts whose `started` waits for the next frame (STARTED_HOLD_MS), oldest first. */
  #startsHeld: Held[] = [];
  #cancelStarts: (() => void) | null = null;
  /** The run parts the server sent on the current connection. */
  readonly #parts = new ReceivedRunParts();
  /** Attempts handed back while disconnected: said again after the next `welcome`. */
  readonly #toHandBack = new Set<string>();
  /** The server's SDK root, from the last `welcome`. */
  #sdkRoot: string | null = null;
  /** A `welcome` came on the current socket: messages may flow. */
  #welcomed = false;
  #state: "new" | "running" | "draining" | "stopped" = "new";
  #executorDone = false;
  #cancelHeartbeat: (() => void) | null = null;
  #cancelTail: (() => void) | null = null;
  #cancelDeliver: (() => void) | null = null;
  #resolveDone!: () => void;
  #rejectDone!: (error: Error) => void;

  constructor(options: WorkerAgentOptions) {
    this.options = resolveWorkerOptions(options);
    const { server, token, clock, logger, cacheDir, concurrency, prefetch, killGraceMs, requestTimeoutMs } = this.options;
    this.#executorRoom = Math.min(prefetch, concurrency * PROCESS_PREFETCH);
    this.#startedAt = clock.now();
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    this.done.catch(() => {}); // The caller awaits it; never an unhandled rejection meanwhile.
    this.#logsDir = join(cacheDir, "logs");
    this.#channel = new WorkerChannel({ url: connectUrlOf(server), token, clock, logger });
    this.#requests = new ChannelRequests((m) => this.#send(m), clock, requestTimeoutMs);
    this.#bundles = new BundleCache({ dir: join(cacheDir, "bundles"), server, token, localSdkRoot: localSdkRoot(), clock });
    this.#executor = new LocalProcessExecutor({
      processes: concurrency,
      prefetch: PROCESS_PREFETCH,
      killGraceMs,
      logger,
      clock,
      resolversFor: (id) => ({ secrets: this.#requests.secretsFor(id), dagRuns: this.#requests.dagRunsFor(id) }),
      unstartedAtShutdown: (ids) => this.#handBack(ids),
      givenBack: (ids) => this.#givenBack(ids),
    });
  }

  /** Attempts held now (fetching their bundle, waiting or running). */
  get holding(): number {
    return this.#held.size;
  }

  /** Starts the warm processes, then connects (and keeps reconnecting) to the server. */
  async start(): Promise<void> {
    if (this.#state !== "new") throw new BatonError("WorkerAgent.start() was already called");
    this.#state = "running";
    await this.#executor.start({
      started: (id, at, pid) => this.#onStarted(id, at, pid),
      finished: (report) => this.#onFinished(report),
    });
    this.#channel.connect({
      opened: () => this.#onOpened(),
      message: (m) => this.#onMessage(m),
      closed: () => this.#onClosed(),
      refused: (error) => this.#fail(error),
    });
    this.#scheduleTail();
  }

  /**
   * Stops taking work: tells the server (`draining`), hands back attempts not started, lets
   * running ones finish within `graceMs` (then they are killed and reported crashed), waits up to
   * `deliverMs` for the server to acknowledge the results, and closes. Resolves like {@link done}.
   */
  drain(graceMs = this.options.graceMs): Promise<void> {
    if (this.#state === "new") {
      this.#state = "stopped";
      this.#resolveDone();
    }
    if (this.#state !== "running") return this.done;
    this.#state = "draining";
    this.options.logger.info({ graceMs, holding: this.#held.size }, "draining: no new work; running attempts may finish");
    if (this.#welcomed) this.#send({ t: "draining" });
    const waiting = [...this.#held.values()].filter((h) => h.state === "fetching" || h.state === "waiting").map((h) => h.request.attemptId);
    this.#handBack(waiting);
    void this.#executor.shutdown(graceMs).then(() => {
      this.#executorDone = true;
      this.#cancelDeliver = this.options.clock.setTimer(this.options.deliverMs, () => {
        this.options.logger.warn({ unacknowledged: [...this.#unacked.keys()] }, "stopping without the server's acknowledgement of these results");
        void this.#stop();
      });
      this.#maybeStopped();
    });
    return this.done;
  }

  #onOpened(): void {
    this.#welcomed = false;
    // Run parts are per connection: the server sends again those the attempts of this one name.
    this.#parts.clear();
    // A result whose log is not all sent yet is announced as held: after welcome, the rest of its
    // log goes first, then the result (the server appends logs only of attempts it counts as held).
    const finished: FinishedReport[] = [];
    const stillLogging: string[] = [];
    for (const [id, unacked] of this.#unacked) {
      if (!unacked.logSent && unacked.spool.hasUnread()) stillLogging.push(id);
      else {
        unacked.logSent = true;
        finished.push(unacked.report);
      }
    }
    const hello: WorkerMessage = {
      t: "hello",
      protocol: WORKER_PROTOCOL_VERSION,
      workerId: this.workerId,
      name: this.options.name,
      host: hostname(),
      pid: process.pid,
      version: this.options.version,
      queues: this.options.queues,
      concurrency: this.options.concurrency,
      prefetch: this.options.prefetch,
      runParts: true,
      startedAt: this.#startedAt,
      holding: [...this.#held.keys(), ...this.#toHandBack, ...stillLogging],
      finished,
    };
    this.#channel.send(hello);
  }

  #onMessage(message: ServerMessage): void {
    switch (message.t) {
      case "welcome":
        return this.#onWelcome(message);
      case "refused":
        return this.#fail(new WorkerRefusedError(`the API server refused this worker: ${message.error}`));
      case "run":
        this.#parts.add(message.parts ?? []);
        for (const attempt of message.attempts) {
          const request = this.#parts.whole(attempt);
          if (request === null) this.#unknownPart(attempt as WireRemoteAttempt);
          else this.#accept(request);
        }
        this.#parts.forget(message.forget ?? []);
        return;
      case "cancel":
        return this.#cancel(message.id, message.reason);
      case "recall":
        return this.#recall(message.ids);
      case "drop":
        this.options.logger.warn({ ids: message.ids, reason: message.reason }, "the server took these attempts back");
        for (const id of message.ids) this.#forget(id, message.reason);
        this.#maybeStopped();
        return;
      case "ack":
        for (const id of message.ids) {
          this.#unacked.get(id)?.spool.remove();
          this.#unacked.delete(id);
        }
        this.#maybeStopped();
        return;
      case "secret":
      case "dagRuns":
        return this.#requests.answer(message);
      default:
        this.options.logger.warn({ type: (message as { t?: unknown }).t }, "ignored an unknown message from the server");
    }
  }

  #onWelcome(welcome: Extract<ServerMessage, { t: "welcome" }>): void {
    if (welcome.protocol !== WORKER_PROTOCOL_VERSION) {
      this.#fail(
        new WorkerRefusedError(
          `the API server speaks worker protocol ${welcome.protocol}, this worker ${WORKER_PROTOCOL_VERSION}: run the same Baton version on both`,
        ),
      );
      return;
    }
    this.#welcomed = true;
    this.#sdkRoot = welcome.sdkRoot;
    this.#channel.established(welcome.heartbeatMs, Math.max(welcome.lostAfterMs, 2 * welcome.heartbeatMs));
    const keep = new Set(welcome.keep);
    for (const id of [...this.#held.keys()]) {
      if (!keep.has(id)) this.#forget(id, "the server no longer counts it as this worker's");
    }
    if (this.#state === "draining") this.#send({ t: "draining" });
    const handBack = [...this.#toHandBack].filter((id) => keep.has(id));
    this.#toHandBack.clear();
    if (handBack.length > 0) this.#send({ t: "handback", ids: handBack });
    for (const held of this.#held.values()) {
      if (held.state === "running" && !held.startedSent)
        held.startedSent = this.#send({ t: "started", id: held.request.attemptId, at: held.startedAt!, pid: held.pid });
    }
    // Results that ended while disconnected, announced as held: the rest of the log, then the result.
    for (const [id, unacked] of [...this.#unacked]) {
      if (unacked.logSent) continue;
      if (!keep.has(id)) {
        this.#forget(id, "the server no longer counts it as this worker's");
        continue;
      }
      unacked.logSent = this.#sendRest(id, unacked.spool);
      this.#send({ t: "finished", ...unacked.report });
    }
    this.#requests.connected();
    this.#scheduleHeartbeat(welcome.heartbeatMs);
    this.options.logger.info({ holding: this.#held.size, unacknowledged: this.#unacked.size }, "connected to the API server");
    this.#maybeStopped();
  }

  #onClosed(): void {
    this.#welcomed = false;
    // Their `startedSent` is false: said again after the next `welcome`.
    this.#startsHeld = [];
    this.#cancelStarts?.();
    this.#cancelStarts = null;
    this.#cancelHeartbeat?.();
    this.#cancelHeartbeat = null;
    this.#requests.disconnected();
  }

  #accept(request: AttemptRequest): void {
    const id = request.attemptId;
    if (this.#state !== "running") {
      this.#handBack([id], false);
      return;
    }
    const dropped = this.#dropped.get(id);
    if (dropped !== undefined) {
      dropped.next = request;
      return;
    }
    if (this.#held.has(id) || this.#unacked.has(id)) return;
    const held: Held = { request, spool: new LogSpool(this.#logsDir, id), state: "fetching", ready: null, startedAt: null, pid: null, startedSent: false };
    this.#held.set(id, held);
    const hash = bundleHashOf(request.bundlePath);
    if (hash === null) {
      this.#endHere(held, {
        kind: "failed",
        error: `the attempt names no bundle by hash: ${request.bundlePath} does not end in <sha256>.mjs`,
        retryable: false,
      });
      return;
    }
    this.#bundles.get(hash, this.#sdkRoot ?? localSdkRoot()).then(
      (bundlePath) => {
        if (this.#held.get(id) !== held) return; // Dropped, cancelled or handed back meanwhile.
        held.state = "waiting";
        held.ready = { ...request, bundlePath, logPath: held.spool.path };
        this.#waiting.push(held);
        this.#feed();
      },
      (e: unknown) => {
        if (this.#held.get(id) !== held) return;
        const retryable = e instanceof BundleError ? e.retryable : true;
        this.#endHere(held, { kind: "failed", error: e instanceof Error ? e.message : String(e), retryable });
      },
    );
  }

  /**
   * An attempt naming a run part this connection never carried (a server's mistake): it cannot
   * run; it ends `infra_failed`, so its try is given back and it runs again.
   */
  #unknownPart(attempt: WireRemoteAttempt): void {
    const id = attempt.attemptId;
    if (this.#held.has(id) || this.#unacked.has(id) || this.#dropped.has(id)) return;
    const request = { ...attempt, bundlePath: "", context: null, maxOutputBytes: 0 } as unknown as AttemptRequest;
    const held: Held = { request, spool: new LogSpool(this.#logsDir, id), state: "fetching", ready: null, startedAt: null, pid: null, startedSent: false };
    this.#held.set(id, held);
    this.#endHere(held, {
      kind: "infra_failed",
      error: `attempt ${id} names run part ${attempt.part}, which the API server did not send on this connection; the try is given back`,
    });
  }

  /** Hands waiting attempts to the executor while it has room (PROCESS_PREFETCH per process). */
  #feed(): void {
    while (this.#inExecutor < this.#executorRoom && this.#waiting.length > 0 && this.#state === "running") {
      const held = this.#waiting.shift()!;
      held.state = "submitted";
      this.#inExecutor++;
      this.#executor.submit(held.ready!);
    }
  }

  #unwait(held: Held): void {
    const i = this.#waiting.indexOf(held);
    if (i >= 0) this.#waiting.splice(i, 1);
  }

  /**
   * The server wants these back if not started: hands back at once those still fetching or
   * waiting here (the answer, possibly empty), and asks the executor for those it holds; the ones
   * its processes give up follow in another `handback`.
   */
  #recall(ids: string[]): void {
    const back: string[] = [];
    const inExecutor: string[] = [];
    for (const id of ids) {
      const state = this.#held.get(id)?.state;
      if (state === "fetching" || state === "waiting") back.push(id);
      else if (state === "submitted") inExecutor.push(id);
    }
    if (back.length > 0) this.#handBack(back);
    else this.#send({ t: "handback", ids: [] });
    if (inExecutor.length > 0) this.#executor.giveBack(inExecutor);
  }

  /** The executor dropped these attempts before they started (a recall): handed back to the server. */
  #givenBack(ids: string[]): void {
    const back = ids.filter((id) => this.#held.get(id)?.state === "submitted");
    this.#inExecutor -= back.length;
    this.#handBack(back);
    this.#feed();
  }

  #cancel(id: string, reason: string): void {
    const held = this.#held.get(id);
    if (held === undefined) return;
    if (held.state === "fetching" || held.state === "waiting") this.#endHere(held, cancelledOutcome(reason));
    else this.#executor.cancel(id, reason);
  }

  /** The server took the attempt away: stop it if it runs, forget it and its result. */
  #forget(id: string, reason: string): void {
    const held = this.#held.get(id);
    if (held !== undefined) {
      this.#held.delete(id);
      if (held.state === "fetching" || held.state === "waiting") {
        this.#unwait(held);
        held.spool.remove();
      } else {
        this.#dropped.set(id, { spool: held.spool, next: null });
        this.#executor.cancel(id, reason);
      }
    }
    const unacked = this.#unacked.get(id);
    if (unacked !== undefined) {
      unacked.spool.remove();
      this.#unacked.delete(id);
    }
  }

  /** Gives attempts not started back to the server (drain, executor shutdown, work sent while draining). */
  #handBack(ids: string[], held = true): void {
    if (ids.length === 0) return;
    for (const id of ids) {
      if (held) {
        const h = this.#held.get(id);
        if (h === undefined) continue;
        this.#held.delete(id);
        this.#unwait(h);
        h.spool.remove();
      }
    }
    this.options.logger.info({ ids }, "handing back attempts not started");
    if (!this.#send({ t: "handback", ids })) for (const id of ids) this.#toHandBack.add(id);
  }

  #onStarted(id: string, at: EpochMs, pid: number | null): void {
    const held = this.#held.get(id);
    if (held === undefined) return; // Dropped.
    held.state = "running";
    held.startedAt = at;
    held.pid = pid;
    held.startedSent = false;
    if (!this.#welcomed) return; // Said after the next `welcome`.
    this.#startsHeld.push(held);
    this.#cancelStarts ??= this.options.clock.setTimer(STARTED_HOLD_MS, () => {
      this.#cancelStarts = null;
      this.#sendStarts();
    });
  }

  /**
   * Sends the held starts, before any other frame: a start precedes its attempt's logs, requests
   * and `finished` (a short attempt's start and end leave in one write). Not those of attempts
   * the server took away meanwhile.
   */
  #sendStarts(): void {
    this.#cancelStarts?.();
    this.#cancelStarts = null;
    const starts = this.#startsHeld;
    this.#startsHeld = [];
    for (const held of starts) {
      const id = held.request.attemptId;
      if (held.startedSent || (this.#held.get(id) !== held && !this.#unacked.has(id))) continue;
      held.startedSent = this.#channel.send({ t: "started", id, at: held.startedAt!, pid: held.pid });
    }
  }

  #onFinished(report: AttemptReport, fromExecutor = true): void {
    const id = report.attemptId;
    if (fromExecutor) {
      this.#inExecutor--;
      this.#feed();
    }
    const dropped = this.#dropped.get(id);
    if (dropped !== undefined) {
      this.#dropped.delete(id);
      dropped.spool.remove();
      if (dropped.next !== null) this.#accept(dropped.next);
      this.#maybeStopped();
      return;
    }
    const held = this.#held.get(id);
    if (held === undefined) return;
    this.#held.delete(id);
    this.#unwait(held);
    const finished: FinishedReport = { id, outcome: report.outcome, startedAt: report.startedAt, endedAt: report.endedAt, pid: report.pid };
    const unacked: Unacked = { report: finished, spool: held.spool, logSent: false };
    this.#unacked.set(id, unacked);
    if (this.#welcomed) {
      unacked.logSent = this.#sendRest(id, held.spool);
      this.#send({ t: "finished", ...finished });
    }
  }

  /** Ends an attempt the executor never had (no bundle, cancelled while fetching): its last log line, then the report. */
  #endHere(held: Held, outcome: AttemptOutcome): void {
    try {
      appendAttemptEnd(held.spool.path, outcome);
    } catch (e) {
      this.options.logger.warn({ attemptId: held.request.attemptId, error: String(e) }, "the attempt's log spool could not be written");
    }
    const now = this.options.clock.now();
    this.#onFinished({ attemptId: held.request.attemptId, outcome, startedAt: now, endedAt: now, pid: null }, false);
  }

  /** Sends what is left of an attempt's log; false when the connection is down. */
  #sendRest(id: string, spool: LogSpool): boolean {
    if (!this.#welcomed) return false;
    for (const data of spool.rest()) if (!this.#send({ t: "log", id, data })) return false;
    return true;
  }

  #scheduleTail(): void {
    this.#cancelTail = this.options.clock.setTimer(TAIL_MS, () => {
      if (this.#welcomed) {
        for (const [id, held] of this.#held) {
          if (held.state === "fetching") continue;
          const data = held.spool.read();
          if (data !== "") this.#send({ t: "log", id, data });
        }
      }
      if (this.#state !== "stopped") this.#scheduleTail();
    });
  }

  #scheduleHeartbeat(everyMs: number): void {
    this.#cancelHeartbeat?.();
    const beat = () => {
      this.#send({ t: "heartbeat", holding: this.#held.size });
      this.#cancelHeartbeat = this.options.clock.setTimer(everyMs, beat);
    };
    this.#cancelHeartbeat = this.options.clock.setTimer(everyMs, beat);
  }

  #send(message: WorkerMessage): boolean {
    if (!this.#welcomed) return false;
    if (this.#startsHeld.length > 0) this.#sendStarts();
    return this.#channel.send(message);
  }

  /** Draining and nothing left to run or deliver: stop. */
  #maybeStopped(): void {
    if (this.#state === "draining" && this.#executorDone && this.#held.size === 0 && this.#dropped.size === 0 && this.#unacked.size === 0) void this.#stop();
  }

  async #stop(error: Error | null = null): Promise<void> {
    if (this.#state === "stopped") return;
    this.#state = "stopped";
    for (const cancel of [this.#cancelHeartbeat, this.#cancelTail, this.#cancelDeliver, this.#cancelStarts]) cancel?.();
    this.#requests.failAll(error?.message ?? "the worker is stopping");
    await this.#channel.close();
    if (!this.#executorDone) await this.#executor.shutdown(0);
    this.#executorDone = true;
    // Results never acknowledged go with the process: the server handles them as a lost worker's.
    for (const { spool } of [...this.#held.values(), ...this.#unacked.values()]) spool.remove();
    if (error === null) {
      this.options.logger.info({}, "worker stopped");
      this.#resolveDone();
    } else this.#rejectDone(error);
  }

  /** The server refused this worker for good: stop at once (running attempts are killed). */
  #fail(error: Error): void {
    this.options.logger.error({ error: error.message }, "the API server refused this worker; stopping");
    void this.#stop(error);
  }
}
