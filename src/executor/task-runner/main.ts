/**
 * Task-runner child of LocalProcessExecutor. Receives batches of attempts over IPC and runs them
 * one at a time, in order. Loads user code; nothing else in the pool does.
 *
 * Invariant the pool relies on: "started" reaches the parent before user code runs (sent
 * synchronously), so a task that blocks the event loop can still be timed out and cancelled.
 *
 * An orphan (the pool's process died) starts nothing more and exits: checked synchronously
 * before each attempt, and by a watchdog thread while the task's code blocks the event loop. The
 * same thread stops the child when the pool's lease keep-alive runs out (`parent-watchdog.ts`).
 */
import type { AttemptOutcome, AttemptRequest } from "../../core/ports/executor.js";
import type { ChildEvent, ChildMessage, ParentMessage, WireAttempt, WireRunPart } from "../protocol.js";
import { AttemptLog, type LostWrites } from "./attempt-log.js";
import { captureOutput } from "./capture-output.js";
import { IpcDagRunsGateway } from "./ipc-dag-runs.js";
import { IpcSecretsResolver } from "./ipc-secrets.js";
import { KEEP_ALIVE_FD, parentGone, poolPid, watchParent } from "./parent-watchdog.js";
import { runAttempt } from "./run-attempt.js";

interface Current {
  request: AttemptRequest;
  log: AttemptLog;
  controller: AbortController;
  done: Promise<unknown>;
}

const waiting: AttemptRequest[] = [];
let current: Current | undefined;
let looping = false;
let stopping = false;
let outbox: ChildEvent[] = [];
const ppid = poolPid(process.argv);
/** No attempt starts before the watchdog runs. */
const guarded = watchParent(ppid, 100, 200, process.argv.includes("--keep-alive-fd") ? KEEP_ALIVE_FD : null);

captureOutput(() => current?.log, false);

function send(event: ChildEvent): void {
  outbox.push(event);
}

function flush(): void {
  if (outbox.length === 0 || !process.connected) return;
  const message: ChildMessage = { events: outbox };
  outbox = [];
  process.send!(message);
}

const secrets = new IpcSecretsResolver(
  (event) => {
    send(event);
    flush();
  },
  () => current?.request.attemptId,
);

const dagRuns = new IpcDagRunsGateway(
  (event) => {
    send(event);
    flush();
  },
  () => current?.request.attemptId,
);

process.on("message", (message: ParentMessage) => {
  if (message.secrets) secrets.answer(message.secrets);
  if (message.dagRuns) dagRuns.answer(message.dagRuns);
  if (message.parts) for (const part of message.parts) parts.set(part.ref, { part, context: JSON.stringify(part.context) });
  if (message.run) for (const attempt of message.run) waiting.push(fromWire(attempt));
  if (message.forget) for (const ref of message.forget) parts.delete(ref);
  if (message.recall) recall(message.recall);
  flush();
  void loop();
});

/**
 * The run parts the parent sent, by ref (at most pooled-child.ts's MAX_RUN_PARTS), with their
 * context as JSON text: each attempt gets its own copy, as when every attempt carried it (a task
 * that changes `ctx.params` changes nothing for the next one).
 */
const parts = new Map<number, { part: WireRunPart; context: string }>();

/** The whole request: the attempt's own fields and its run's part. */
function fromWire(attempt: WireAttempt): AttemptRequest {
  const { part: ref, ...own } = attempt;
  const known = parts.get(ref);
  if (known === undefined) throw new Error(`task runner: attempt ${attempt.attemptId} names run part ${ref}, which was never sent`);
  const { bundlePath, maxOutputBytes } = known.part;
  const context = JSON.parse(known.context) as AttemptRequest["context"];
  // The task spec stays with the parent: the runner reads the task from the bundle.
  return { ...own, bundlePath, context, maxOutputBytes, task: null as unknown as AttemptRequest["task"] };
}

/** Drops the recalled attempts still waiting; the others have started (or finished). */
function recall(ids: string[]): void {
  const dropped: string[] = [];
  const started: string[] = [];
  for (const id of ids) {
    const i = waiting.findIndex((r) => r.attemptId === id);
    if (i >= 0) {
      waiting.splice(i, 1);
      dropped.push(id);
    } else started.push(id);
  }
  send({ t: "recalled", dropped, started });
}

async function loop(): Promise<void> {
  if (looping) return;
  looping = true;
  await guarded;
  while (!stopping) {
    // A prefetched attempt must not start once the pool is gone: its retry may run elsewhere.
    if (parentGone(ppid)) process.exit(0);
    const request = waiting.shift();
    if (request === undefined) break;
    send({ t: "started", id: request.attemptId, at: Date.now() });
    flush();
    const { outcome, logLost } = await run(request);
    send(
      logLost === null
        ? { t: "finished", id: request.attemptId, at: Date.now(), outcome }
        : { t: "finished", id: request.attemptId, at: Date.now(), outcome, logLost },
    );
    // The next "started" carries this event along; flush now only when nothing follows.
    if (waiting.length === 0) flush();
    // The task's spans go out now, in the background (the process may be stopped before the SDK's next batch).
    if (request.traceparent !== undefined) void tracing?.then((t) => t?.flush()).catch(() => {});
  }
  looping = false;
}

/** Set up on the first attempt that carries a traceparent (tracing is on): the SDK is not even loaded otherwise. */
let tracing: Promise<{ flush(): Promise<void> } | null> | undefined;

function startTracing(): Promise<{ flush(): Promise<void> } | null> {
  const warn = (obj: object, msg?: string) => process.stderr.write(`${JSON.stringify({ level: "warn", ...obj, msg })}\n`);
  const logger = { debug() {}, info() {}, warn, error: warn };
  return import("../../tracing/worker-tracing.js")
    .then((m) => m.startWorkerTracing(process.env, logger))
    .catch((err: unknown) => {
      warn({ err: String(err) }, "tracing not available in this worker");
      return null;
    });
}

async function run(request: AttemptRequest): Promise<{ outcome: AttemptOutcome; logLost: LostWrites | null }> {
  if (request.traceparent !== undefined) await (tracing ??= startTracing());
  const log = new AttemptLog(request.logPath);
  const controller = new AbortController();
  const done = runAttempt(request, log, controller.signal, secrets, dagRuns);
  current = { request, log, controller, done };
  try {
    return { outcome: await done, logLost: log.lost };
  } finally {
    current = undefined;
    log.close();
  }
}

// SIGTERM from the pool (timeout, cancel, shutdown): abort the attempt so it can clean up (shell
// commands are killed), then exit. The pool sends SIGKILL if this takes too long.
process.on("SIGTERM", () => {
  stopping = true;
  const running = current;
  if (running === undefined) process.exit(0);
  running.controller.abort(new Error("attempt stopped by the executor"));
  void running.done.finally(() => process.exit(0));
});
// Ctrl-C reaches the whole process group; the pool decides when its children stop.
process.on("SIGINT", () => {});
process.on("disconnect", () => process.exit(0));

send({ t: "ready" });
flush();
