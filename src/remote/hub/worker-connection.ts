import type { WebSocket } from "ws";
import type { EpochMs } from "../../core/model/records.js";
import type { Clock } from "../../core/ports/clock.js";
import type { AttemptRequest } from "../../core/ports/executor.js";
import type { RemoteAttemptRecord, WorkerTokenRecord } from "../../core/model/workers.js";
import { FrameOutbox } from "../frame-outbox.js";
import { SentRunParts } from "../run-parts.js";
import type { ServerMessage } from "../protocol.js";
import type { HelloMessage } from "./parse-worker-message.js";

/** An attempt the hub sent to (or found held by) a worker: assigned to it and not yet finished. */
export interface HeldAttempt {
  readonly record: Pick<RemoteAttemptRecord, "schedulerId" | "queue" | "request" | "startedAt" | "pid">;
  /** Its `started` was recorded (markRemoteStarted accepted it). */
  started: boolean;
  /** The worker said it started (recorded or not yet): it cannot be recalled. */
  reported: boolean;
  /** A `started` report being recorded: what a `secret`/`dagRuns` request of the same turn waits for. */
  starting: Promise<unknown> | null;
  /** Assigned here before its row is written (MailboxShortcut): not sent yet, its room held. */
  unsent?: boolean;
}

/**
 * One worker's WebSocket as the hub sees it. `new` until its hello arrives, `hello` while the
 * hub registers it (messages then wait in order), `ready` once welcomed, `closed` at the end.
 * What the hub sends before the welcome (acks of results finished while disconnected) waits
 * until the welcome has gone, so `welcome` is always the first answer.
 *
 * Frames sent in one turn of the event loop leave in one write (FrameOutbox). Acknowledgements
 * wait up to `ackDelayMs` to go with the next frames to this worker (a `run`, usually), in one
 * `ack` per write: a worker only forgets a result on its `ack`, so nothing waits on it.
 */
export class WorkerConnection {
  phase: "new" | "hello" | "ready" | "closed" = "new";
  hello: HelloMessage | null = null;
  /** Attempts assigned to this worker, by id. */
  readonly held = new Map<string, HeldAttempt>();
  /** Attempts whose `cancel` went out on this connection. */
  readonly cancelsSent = new Set<string>();
  /** Set by `draining`: no more claims for it. */
  draining = false;
  /** A `recall` went out and its `handback` has not come back: no other recall for it meanwhile. */
  recalling = false;
  lastHeardAt: EpochMs;
  /** When touchWorker last ran for it (heartbeats write at most once per second). */
  lastTouchAt: EpochMs = Number.NEGATIVE_INFINITY;
  /** Frames received while the hello is being handled, replayed in order afterwards. */
  readonly waiting: string[] = [];
  #unsent: ServerMessage[] = [];
  /** The run parts sent on this connection (to a worker that said `runParts`). */
  readonly #parts = new SentRunParts();
  readonly #outbox: FrameOutbox;
  /** Results recorded and not acknowledged yet: one `ack` with the next frames, or when the delay ends. */
  #acks: string[] = [];
  #cancelAck: (() => void) | null = null;
  cancelHelloTimer: (() => void) | null = null;

  constructor(
    readonly socket: WebSocket,
    readonly token: WorkerTokenRecord,
    private readonly clock: Clock,
    /** How long an acknowledgement may wait for other frames to this worker (0: the end of the turn). */
    private readonly ackDelayMs = 0,
  ) {
    this.lastHeardAt = clock.now();
    this.#outbox = new FrameOutbox(socket);
    this.#outbox.onFlush = () => this.#flushAcks();
  }

  get closed(): boolean {
    return this.phase === "closed";
  }

  get workerId(): string {
    return this.hello?.workerId ?? "";
  }

  /** Most attempts it holds at once: its `prefetch` (2 × concurrency for a worker that says none). */
  get prefetch(): number {
    return this.hello === null ? 0 : (this.hello.prefetch ?? 2 * this.hello.concurrency);
  }

  /** Attempts it may take now: it holds up to `prefetch`, so it goes from one to the next without a round trip. */
  room(): number {
    if (this.phase !== "ready" || this.draining || this.hello === null) return 0;
    return Math.max(0, this.prefetch - this.held.size);
  }

  /** Attempts it may start at once now: its processes not busy with one it holds. */
  idleSlots(): number {
    if (this.hello === null) return 0;
    return Math.max(0, Math.min(this.room(), this.hello.concurrency - this.held.size));
  }

  /** Attempts it holds and has not said it started, newest first (what a recall may take back). */
  unstarted(): string[] {
    const ids: string[] = [];
    for (const [id, held] of this.held) if (!held.reported && !held.started && held.unsent !== true) ids.push(id);
    return ids.reverse();
  }

  send(message: ServerMessage): void {
    if (this.phase === "closed") return;
    if (this.phase !== "ready") {
      this.#unsent.push(message);
      return;
    }
    this.#write(message);
  }

  /**
   * A `run` of these attempts: to a worker that takes run parts, each run's part once per
   * connection and the attempts naming it (SentRunParts); to another, from the JSON of their
   * requests when the rows carry it (not serialised again).
   */
  sendRun(rows: { request: AttemptRequest; requestJson?: string }[]): void {
    if (this.phase !== "ready") return this.send({ t: "run", attempts: rows.map((r) => r.request) });
    if (this.hello?.runParts === true) this.#outbox.push(this.#parts.runFrame(rows.map((r) => r.request)));
    else this.#outbox.push(`{"t":"run","attempts":[${rows.map((r) => r.requestJson ?? JSON.stringify(r.request)).join(",")}]}`);
  }

  /** These results are recorded: acknowledged with the next frames to the worker, within `ackDelayMs`. */
  ack(ids: string[]): void {
    if (this.phase === "closed" || ids.length === 0) return;
    if (this.phase !== "ready") return this.send({ t: "ack", ids });
    this.#acks.push(...ids);
    if (this.ackDelayMs <= 0) this.#outbox.soon();
    else this.#cancelAck ??= this.clock.setTimer(this.ackDelayMs, () => this.#outbox.flush());
  }

  /** Sends the welcome, then what waited for it. */
  welcome(message: Extract<ServerMessage, { t: "welcome" }>): void {
    if (this.phase === "closed") return;
    this.phase = "ready";
    this.#write(message);
    for (const m of this.#unsent.splice(0)) this.#write(m);
  }

  /** Tells the worker it is refused for good (it does not reconnect), then closes. */
  refuse(error: string): void {
    if (this.phase === "closed") return;
    this.#flushAcks();
    this.#write({ t: "refused", error });
    this.close(1008, "refused");
  }

  /** Writes what waits (acknowledgements included), then closes. */
  close(code = 1000, reason = ""): void {
    if (this.phase === "closed") return;
    this.#outbox.flush();
    this.phase = "closed";
    this.cancelHelloTimer?.();
    this.#cancelAck?.();
    this.#cancelAck = null;
    this.socket.close(code, reason);
  }

  #write(message: ServerMessage): void {
    this.#outbox.push(JSON.stringify(message));
  }

  /** Puts the waiting acknowledgements in one `ack` at the end of the frames about to go. */
  #flushAcks(): void {
    this.#cancelAck?.();
    this.#cancelAck = null;
    if (this.#acks.length === 0) return;
    const ids = this.#acks;
    this.#acks = [];
    this.#outbox.push(JSON.stringify({ t: "ack", ids } satisfies ServerMessage));
  }
}
