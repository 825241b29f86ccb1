import type { WebSocket } from "ws";
import type { EpochMs } from "../../core/model/records.js";
import type { RemoteAttemptRecord, WorkerTokenRecord } from "../../core/model/workers.js";
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
  cancelHelloTimer: (() => void) | null = null;

  constructor(
    readonly socket: WebSocket,
    readonly token: WorkerTokenRecord,
    now: EpochMs,
  ) {
    this.lastHeardAt = now;
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
    this.#write({ t: "refused", error });
    this.close(1008, "refused");
  }

  close(code = 1000, reason = ""): void {
    if (this.phase === "closed") return;
    this.phase = "closed";
    this.cancelHelloTimer?.();
    this.socket.close(code, reason);
  }

  #write(message: ServerMessage): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }
}
