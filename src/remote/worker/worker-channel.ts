import type { IncomingMessage } from "node:http";
import { WebSocket } from "ws";
import { BatonError } from "../../core/errors.js";
import type { Clock } from "../../core/ports/clock.js";
import type { Logger } from "../../core/ports/logger.js";
import type { Secret } from "../../core/secrets/secret.js";
import { FrameOutbox } from "../frame-outbox.js";
import type { ServerMessage, WorkerMessage } from "../protocol.js";
import { Backoff } from "./backoff.js";

/** The server refused this worker for good (bad, revoked or out-of-scope token; protocol mismatch). */
export class WorkerRefusedError extends BatonError {}

export interface ChannelEvents {
  /** A socket is open: say `hello` now (it must be the first message). */
  opened(): void;
  message(message: ServerMessage): void;
  /** The socket closed or failed; the channel reconnects by itself unless it was closed. */
  closed(why: string): void;
  /** The server refused the token at the upgrade (HTTP 401/403): no reconnection. */
  refused(error: WorkerRefusedError): void;
}

export interface WorkerChannelOptions {
  /** `ws(s)://…/api/v1/workers/connect`. */
  url: string;
  token: Secret;
  clock: Clock;
  logger: Logger;
  /** From connecting to `established()` (the server's `welcome`). Default 15 s. */
  handshakeMs?: number;
  backoff?: Backoff;
}

/**
 * One WebSocket to the API server at a time, reopened after a delay (250 ms doubling to 10 s,
 * with jitter) whenever it closes or cannot be opened, until {@link close}. Each failure is
 * logged once, with the delay before the next try. A connection the server stops answering
 * (no message nor pong for the server's `lostAfterMs`) is cut and reopened. Timers go through the clock.
 */
export class WorkerChannel {
  readonly #opts: Required<Omit<WorkerChannelOptions, "backoff">>;
  readonly #backoff: Backoff;
  #events: ChannelEvents | null = null;
  #socket: WebSocket | null = null;
  /** The current socket's frames of this turn, written together (FrameOutbox). */
  #outbox: FrameOutbox | null = null;
  #open = false;
  #closed = false;
  #timers: (() => void)[] = [];
  #lastHeard = 0;

  constructor(options: WorkerChannelOptions) {
    this.#opts = { handshakeMs: 15_000, ...options };
    this.#backoff = options.backoff ?? new Backoff();
  }

  /** Whether a socket is open (messages sent now reach the server, unless it fails meanwhile). */
  get isOpen(): boolean {
    return this.#open;
  }

  connect(events: ChannelEvents): void {
    this.#events = events;
    this.#dial();
  }

  /**
   * Sends one message (one frame, written with the other frames of this turn); false (and nothing
   * sent) when no socket is open.
   */
  send(message: WorkerMessage): boolean {
    if (!this.#open || this.#socket === null || this.#outbox === null || this.#socket.readyState !== WebSocket.OPEN) return false;
    this.#outbox.push(JSON.stringify(message));
    return true;
  }

  /**
   * The server said `welcome`: the next failure starts the backoff from the beginning, and the
   * server is pinged every `pingMs`; when nothing came from it for `deadAfterMs`, the socket is cut.
   */
  established(pingMs: number, deadAfterMs: number): void {
    this.#clearTimers();
    this.#backoff.reset();
    const socket = this.#socket;
    if (socket === null) return;
    const tick = () => {
      if (socket !== this.#socket || !this.#open) return;
      if (this.#opts.clock.now() - this.#lastHeard >= deadAfterMs) {
        this.#opts.logger.warn({ silentMs: this.#opts.clock.now() - this.#lastHeard }, "the API server stopped answering; reconnecting");
        socket.terminate();
        return;
      }
      socket.ping();
      this.#timers.push(this.#opts.clock.setTimer(pingMs, tick));
    };
    this.#timers.push(this.#opts.clock.setTimer(pingMs, tick));
  }

  /** Closes the socket (normal closure) and stops reconnecting; resolves once it is closed. */
  close(): Promise<void> {
    this.#closed = true;
    this.#clearTimers();
    const socket = this.#socket;
    this.#outbox?.flush();
    this.#outbox = null;
    this.#socket = null;
    this.#open = false;
    if (socket === null || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once("close", () => resolve());
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000, "worker stopping");
      // A server that never completes the closing handshake: give up after a second.
      const cancel = this.#opts.clock.setTimer(1_000, () => {
        socket.terminate();
        resolve();
      });
      socket.once("close", cancel);
    });
  }

  #dial(): void {
    if (this.#closed) return;
    const { url, token, clock } = this.#opts;
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token.reveal()}` }, perMessageDeflate: false });
    this.#socket = socket;
    const outbox = (this.#outbox = new FrameOutbox(socket));
    let ended = false;
    const end = (why: string, refused: WorkerRefusedError | null) => {
      if (ended) return;
      ended = true;
      if (this.#socket !== socket) return;
      outbox.clear();
      this.#socket = null;
      this.#outbox = null;
      this.#open = false;
      this.#clearTimers();
      if (refused !== null) {
        this.#closed = true;
        this.#events?.refused(refused);
        return;
      }
      this.#events?.closed(why);
      this.#retryLater(why);
    };
    this.#timers.push(
      clock.setTimer(this.#opts.handshakeMs, () => {
        if (this.#socket === socket) {
          socket.terminate();
          end(`no welcome from the server within ${this.#opts.handshakeMs} ms`, null);
        }
      }),
    );
    socket.on("open", () => {
      if (this.#socket !== socket) return;
      this.#open = true;
      this.#lastHeard = clock.now();
      this.#events?.opened();
    });
    socket.on("message", (data, isBinary) => {
      this.#lastHeard = clock.now();
      if (isBinary || this.#socket !== socket) return;
      let message: ServerMessage;
      try {
        message = JSON.parse(data.toString()) as ServerMessage;
      } catch {
        this.#opts.logger.warn({ data: data.toString().slice(0, 200) }, "ignored a message from the server that is not JSON");
        return;
      }
      this.#events?.message(message);
    });
    socket.on("pong", () => {
      this.#lastHeard = clock.now();
    });
    socket.on("unexpected-response", (_req, res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < 2_000) body += chunk;
      });
      res.on("end", () => {
        const why = `the server answered HTTP ${status}${describeBody(body)}`;
        const refused = status === 401 || status === 403 ? new WorkerRefusedError(`the API server refused this worker: ${why}`) : null;
        socket.terminate();
        end(why, refused);
      });
      res.on("error", () => end(`the server answered HTTP ${status}`, null));
    });
    socket.on("error", (error) => end(error.message || String(error), null));
    socket.on("close", (code, reason) => end(`connection closed (${code}${reason.length > 0 ? `: ${reason.toString()}` : ""})`, null));
  }

  #retryLater(why: string): void {
    if (this.#closed) return;
    const { delayMs, step } = this.#backoff.next();
    this.#opts.logger.warn({ url: this.#opts.url, error: why, retryInMs: delayMs, try: step }, "no connection to the API server; retrying");
    this.#timers.push(this.#opts.clock.setTimer(delayMs, () => this.#dial()));
  }

  #clearTimers(): void {
    for (const cancel of this.#timers) cancel();
    this.#timers = [];
  }
}

/** The error text of a JSON error body (`{"error": {"message": "…"}}`, `{"error": "…"}`, `{"message": "…"}`), or the text itself. */
function describeBody(body: string): string {
  const text = body.trim();
  if (text === "") return "";
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    const nested = typeof parsed.error === "object" && parsed.error !== null ? (parsed.error as { message?: unknown }).message : undefined;
    const message = [nested, parsed.message, parsed.error].find((m): m is string => typeof m === "string");
    if (message !== undefined) return `: ${message}`;
  } catch {
    // Not JSON: the text.
  }
  return `: ${text.slice(0, 300)}`;
}
