import { fork, type ChildProcess } from "node:child_process";
import type { AttemptContext, AttemptRequest } from "../core/ports/executor.js";
import type { ChildEvent, ChildMessage, ParentMessage, SecretReply, DagRunsReply, WireAttempt, WireRunPart } from "./protocol.js";

export interface PooledChildHandlers {
  events(events: ChildEvent[]): void;
  /** Bytes the child wrote to its real stdout/stderr (outside the capture: fatal errors, stray writes). */
  output(data: Buffer): void;
  /** The process is gone and every message it sent has been delivered. */
  exit(code: number | null, signal: NodeJS.Signals | null): void;
}

/** Run parts a child keeps at most; the oldest is forgotten (and sent again if named again). */
export const MAX_RUN_PARTS = 64;

/** One warm task-runner process: batches what the pool sends it and reports what it says. */
export class PooledChild {
  readonly process: ChildProcess;
  readonly pid: number | null;
  #run: WireAttempt[] = [];
  #parts: WireRunPart[] = [];
  #forget: number[] = [];
  /** The run parts this child holds, by the context object the attempts share (oldest first). */
  readonly #known = new Map<AttemptContext, WireRunPart>();
  #nextRef = 0;
  #recall: string[] = [];
  #killTimer: NodeJS.Timeout | undefined;
  #terminating = false;

  constructor(entry: string, execArgv: string[], handlers: PooledChildHandlers) {
    // Our pid: the child's watchdog exits it when its parent is no longer this process.
    // fd 4: lease keep-alive lines, read by the child's watchdog thread (keepAlive below).
    this.process = fork(entry, [String(process.pid), "--keep-alive-fd"], {
      execArgv,
      serialization: "json",
      stdio: ["ignore", "pipe", "pipe", "ipc", "pipe"],
    });
    this.pid = this.process.pid ?? null;
    this.process.on("message", (m: ChildMessage) => handlers.events(m.events));
    this.process.stdout?.on("data", handlers.output);
    this.process.stderr?.on("data", handlers.output);
    // A send to a child that just died fails here; its 'close' does the cleanup.
    this.process.on("error", () => {});
    // A keep-alive written as the child dies fails with EPIPE; its exit does the cleanup.
    this.process.stdio[4]?.on("error", () => {});
    // Report the exit once the process is gone AND its IPC channel and pipes are drained, so
    // every event it sent is handled first. ('close' does not come when we disconnected.)
    let pending = 4;
    let exit: [number | null, NodeJS.Signals | null] = [null, null];
    const done = () => {
      if (--pending > 0) return;
      clearTimeout(this.#killTimer);
      handlers.exit(...exit);
    };
    this.process.once("exit", (code, signal) => {
      exit = [code, signal];
      done();
    });
    this.process.once("disconnect", done);
    for (const stream of [this.process.stdout, this.process.stderr]) {
      if (stream) stream.once("close", done);
      else done();
    }
  }

  get terminating(): boolean {
    return this.#terminating;
  }

  run(request: AttemptRequest): void {
    // The child runs the task from its bundle; the spec would only fatten every message. What
    // the run's attempts share goes once (the scheduler hands them one context object per run).
    // Spelled out rather than rest-spread (one hidden class, no IC misses per attempt); the
    // `satisfies` fails to compile when AttemptRequest gains a field not listed here.
    const r = request;
    const wire = {
      attemptId: r.attemptId,
      runPk: r.runPk,
      taskId: r.taskId,
      mapIndex: r.mapIndex,
      tryNumber: r.tryNumber,
      maxTries: r.maxTries,
      inputs: r.inputs,
      logPath: r.logPath,
      sensor: r.sensor,
      traceparent: r.traceparent,
      part: this.#partOf(r.bundlePath, r.context, r.maxOutputBytes),
    } satisfies Record<keyof WireAttempt, unknown>;
    this.#run.push(wire);
  }

  #partOf(bundlePath: string, context: AttemptContext, maxOutputBytes: number): number {
    const known = this.#known.get(context);
    if (known !== undefined && known.bundlePath === bundlePath && known.maxOutputBytes === maxOutputBytes) return known.ref;
    if (known !== undefined) {
      this.#known.delete(context);
      this.#forget.push(known.ref);
    }
    const part: WireRunPart = { ref: this.#nextRef++, bundlePath, context, maxOutputBytes };
    this.#known.set(context, part);
    this.#parts.push(part);
    if (this.#known.size > MAX_RUN_PARTS) {
      const [oldest, old] = this.#known.entries().next().value as [AttemptContext, WireRunPart];
      this.#known.delete(oldest);
      this.#forget.push(old.ref);
    }
    return part.ref;
  }

  recall(id: string): void {
    this.#recall.push(id);
  }

  /** Sends what was queued by run() and recall() since the last flush, as one message. */
  flush(): void {
    if (this.#run.length === 0 && this.#recall.length === 0 && this.#forget.length === 0) return;
    const message: ParentMessage = {};
    if (this.#parts.length > 0) message.parts = this.#parts;
    if (this.#run.length > 0) message.run = this.#run;
    if (this.#forget.length > 0) message.forget = this.#forget;
    if (this.#recall.length > 0) message.recall = this.#recall;
    this.#run = [];
    this.#parts = [];
    this.#forget = [];
    this.#recall = [];
    if (this.process.connected) this.process.send(message);
  }

  /** Sends an answer to a `secret` request at once (the task is waiting for it). */
  answer(reply: SecretReply): void {
    const message: ParentMessage = { secrets: [reply] };
    if (this.process.connected) this.process.send(message);
  }

  /** Sends an answer to a `dagRuns` request at once (the task is waiting for it). */
  answerDagRuns(reply: DagRunsReply): void {
    const message: ParentMessage = { dagRuns: [reply] };
    if (this.process.connected) this.process.send(message);
  }

  /**
   * Lets the child run `forMs` more milliseconds from now; a child that hears nothing more by
   * then stops itself (the scheduler may have lost its lease). Never called: no limit.
   */
  keepAlive(forMs: number): void {
    const pipe = this.process.stdio[4];
    if (pipe && "write" in pipe && !pipe.destroyed) (pipe as NodeJS.WritableStream).write(`${Math.max(0, Math.floor(forMs))}\n`);
  }

  /** SIGTERM now, SIGKILL after `graceMs`. */
  terminate(graceMs: number): void {
    if (this.#terminating) return;
    this.#terminating = true;
    this.process.kill("SIGTERM");
    this.#killTimer = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
  }

  /** Closes the IPC channel; an idle child exits on it. */
  disconnect(): void {
    if (this.process.connected) this.process.disconnect();
  }
}
