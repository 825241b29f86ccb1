import type { WebSocket } from "ws";

/** The TCP socket under a `ws` WebSocket (`ws` keeps it in `_socket`; absent: frames go out one write each). */
interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * Text frames for one WebSocket, written together at the end of the turn of the event loop:
 * still one message per frame (the protocol does not change), but the frames queued in one turn
 * leave in one write to the socket (corked while they are handed to `ws`), so a burst of
 * messages costs one system call and one wake-up of the other end instead of one each. On a
 * loopback connection a write costs as much as the work of the peer it wakes (docs/workers.md,
 * "Frames"). Frames keep their order; {@link flush} writes what waits at once (before a close).
 */
export class FrameOutbox {
  #frames: string[] = [];
  #queued = false;
  /** Called (once per flush) before the frames go: a last chance to add frames that may wait until something else is sent. */
  onFlush: (() => void) | null = null;

  constructor(private readonly socket: WebSocket) {}

  /** Frames waiting for the end of the turn. */
  get size(): number {
    return this.#frames.length;
  }

  /** Queues one frame (JSON text); it is written at the end of this turn. */
  push(frame: string): void {
    this.#frames.push(frame);
    this.soon();
  }

  /** Flushes at the end of this turn (what {@link onFlush} adds then goes too). */
  soon(): void {
    if (this.#queued) return;
    this.#queued = true;
    setImmediate(() => this.flush());
  }

  /** Writes what waits now, in one write; nothing when the socket is not open (the frames are lost, as in flight). */
  flush(): void {
    this.onFlush?.();
    this.#queued = false;
    const frames = this.#frames;
    if (frames.length === 0) return;
    this.#frames = [];
    const socket = this.socket;
    if (socket.readyState !== socket.OPEN) return;
    if (frames.length === 1) return socket.send(frames[0]!);
    const raw = (socket as unknown as { _socket?: Partial<Corkable> })._socket;
    const cork = typeof raw?.cork === "function" && typeof raw.uncork === "function" ? (raw as Corkable) : null;
    cork?.cork();
    try {
      for (const frame of frames) socket.send(frame);
    } finally {
      cork?.uncork();
    }
  }

  /** Forgets what waits (the socket is gone). */
  clear(): void {
    this.#frames = [];
  }
}
