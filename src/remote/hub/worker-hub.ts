import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { BatonError } from "../../core/errors.js";
import type { WorkerTokenRecord } from "../../core/model/workers.js";
import type { Clock } from "../../core/ports/clock.js";
import type { DagRunsGateway } from "../../core/ports/dag-runs-gateway.js";
import type { Logger } from "../../core/ports/logger.js";
import { HUB_CANCEL_TARGET, HUB_TARGET, type RemoteSignal } from "../../core/ports/remote-signal.js";
import type { SecretsResolver } from "../../core/ports/secrets-resolver.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";
import { answerDagRuns } from "../../executor/answer-dag-runs.js";
import { answerSecret } from "../../executor/answer-secret.js";
import type { NewRemoteAttempt } from "../../core/model/workers.js";
import { shortcutOf, type MailboxShortcut, type ShortcutHub } from "../mailbox-shortcut.js";
import { WORKER_CONNECT_PATH, WORKER_PROTOCOL_VERSION, type WorkerMessage } from "../protocol.js";
import { AttemptLogs } from "./attempt-logs.js";
import { registerBundleRoute } from "./bundle-route.js";
import { claimWork } from "./claim-work.js";
import { CoalescedRunner } from "./coalesced-runner.js";
import { HubReports, push } from "./hub-reports.js";
import { sweepWorkers } from "./hub-sweep.js";
import { helloProblem, parseWorkerMessage, type HelloMessage } from "./parse-worker-message.js";
import { reconcileHolding } from "./reconcile-holding.js";
import { best, recallForIdle } from "./worker-balance.js";
import { authenticateWorker, rejectUpgrade, unauthorizedBody } from "./worker-auth.js";
import { WorkerConnection, type HeldAttempt } from "./worker-connection.js";

export interface WorkerHubOptions {
  store: WorkerStore;
  signal: RemoteSignal;
  clock: Clock;
  logger: Logger;
  /** Answers the attempts' `ctx.connection()`/`ctx.variable()`; null: they get an "unavailable" error. */
  secrets: SecretsResolver | null;
  /** Answers the cross-DAG operators; null: they get an "unavailable" error. */
  dagRuns: DagRunsGateway | null;
  /** `file:` URL of this server's compiled `src/` folder, ending in `/` (sent in `welcome`). */
  sdkRoot: string;
  /** Baton's version here (sent in `welcome`). */
  version: string;
  /** A worker not heard from for this long is declared lost (BATON_WORKER_LOST_MS). */
  lostAfterMs: number;
  /** How often workers heartbeat (BATON_WORKER_HEARTBEAT_MS, sent in `welcome`). */
  heartbeatMs: number;
  /** Where bundles not in the database are read from (`<sha256>.mjs`). */
  bundlesDir: string;
  /**
   * How long a worker's `started` waits to be written with its `finished`, so a short attempt
   * costs one write instead of two (ReportBatcher). Default {@link STARTED_DELAY_MS}; 0: at once.
   */
  startedDelayMs?: number;
  /** How long an `ack` may wait to go with other frames to its worker (WorkerConnection). Default {@link ACK_DELAY_MS}; 0: end of turn. */
  ackDelayMs?: number;
  /**
   * Meet the schedulers of this process (those sharing `signal`) without the mailbox's extra
   * round trips (MailboxShortcut, docs/workers.md "One process"). Default true.
   */
  shortcut?: boolean;
}

/** WorkerHubOptions.startedDelayMs's default. */
export const STARTED_DELAY_MS = 50;
/** WorkerHubOptions.ackDelayMs's default: an `ack` usually goes with the next `run` to its worker. */
export const ACK_DELAY_MS = 20;

/** Lost workers, revoked tokens and silent sockets are looked for this often. */
export const SWEEP_MS = 1_000;
/** Finished orphans are deleted every this many sweeps: once a minute (every 5 s, the DELETE was a third of an idle standalone's writes, issue 13). */
const ORPHAN_SWEEPS = 60;
/** A worker's heartbeats write its `last_seen_at` at most this often. */
const TOUCH_MS = 1_000;
/** How long `close()` waits for workers to answer the close frame before cutting their sockets. */
const CLOSE_WAIT_MS = 1_000;

/**
 * The API server's side of remote workers (docs/workers.md#worker-channel, docs/adr/0008): the
 * WebSocket at WORKER_CONNECT_PATH and the bundle route. It authenticates workers by their
 * token, claims queued attempts from the database mailbox for the workers with room, records
 * what they report (fenced by attempt: refused reports are dropped by the worker), appends their
 * log bytes to the attempts' log files, answers their secret and cross-DAG requests, forwards
 * cancels, and declares lost the workers nobody has heard from. Time goes through `clock`.
 *
 * @example
 * const hub = new WorkerHub({ store: store.workers, signal, clock: systemClock, logger, secrets, dagRuns,
 *   sdkRoot, version, lostAfterMs: 10_000, heartbeatMs: 2_000, bundlesDir });
 * const app = await buildApiServer({ ...deps, workerHub: hub }); // calls hub.attach(app)
 */
export class WorkerHub implements ShortcutHub {
  readonly #o: WorkerHubOptions;
  readonly #shortcut: MailboxShortcut | null;
  /** Attempts assigned by {@link assign} whose rows are being written, with the connection chosen. */
  readonly #assigned = new Map<string, WorkerConnection>();
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  readonly #connections = new Set<WorkerConnection>();
  readonly #byWorker = new Map<string, WorkerConnection>();
  readonly #logs: AttemptLogs;
  readonly #reports: HubReports;
  readonly #pollMs: number;
  #app: FastifyInstance | null = null;
  #onUpgradeEvent: ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) | null = null;
  /** Cancels and claims, on each signal, poll and freed room: one at a time. */
  readonly #passes: CoalescedRunner;
  /** Lost workers, revoked tokens, silent sockets, orphans: every second. */
  readonly #sweeps: CoalescedRunner;
  #sweepCount = 0;
  /** A signal or poll asked for a look at cancels; the next pass does it. */
  #cancelsDue = false;
  /** The last pass may have left attempts queued (a queue of a worker it did not empty). */
  #backlog = true;
  /** Attempts were queued since the last pass began (a HUB_TARGET signal: rows left for a claim, requeued, or from another process). */
  #queuedSince = true;
  readonly #timers: (() => void)[] = [];
  #unsubscribe: (() => void)[] = [];
  #stopping = false;
  #closed: Promise<void> | null = null;

  constructor(options: WorkerHubOptions) {
    for (const key of ["lostAfterMs", "heartbeatMs"] as const) {
      if (!Number.isInteger(options[key]) || options[key] < 1) throw new BatonError(`WorkerHub: ${key} must be a positive integer, got ${options[key]}`);
    }
    this.#o = options;
    this.#shortcut = options.shortcut === false ? null : shortcutOf(options.signal);
    this.#pollMs = options.signal.crossProcess ? 1_000 : 100;
    this.#logs = new AttemptLogs(options.logger);
    this.#passes = new CoalescedRunner(
      () => this.#pass(),
      (err) => options.logger.warn({ err }, "workers' cancels or new attempts could not be read"),
    );
    this.#sweeps = new CoalescedRunner(
      () => this.#sweep(),
      (err) => options.logger.warn({ err }, "the workers' sweep failed; trying again"),
    );
    this.#reports = new HubReports({
      ...options,
      logs: this.#logs,
      notifyOwner: (schedulerId) => this.#notifyOwner(schedulerId),
      forget: (conn, attemptId) => this.#forget(conn, attemptId),
      // Room freed matters only when the last claims left attempts queued.
      freed: () => this.#backlog && this.#schedulePass(),
      startedDelayMs: options.startedDelayMs ?? STARTED_DELAY_MS,
      shortcut: this.#shortcut,
    });
  }

  /**
   * Registers the bundle route and the WebSocket upgrade on `app` (before it is ready) and starts
   * the hub's timers; `app.close()` closes the hub.
   */
  attach(app: FastifyInstance): void {
    if (this.#app !== null) throw new BatonError("WorkerHub.attach() was already called");
    if (this.#stopping) throw new BatonError("WorkerHub is closed");
    this.#app = app;
    registerBundleRoute(app, { store: this.#o.store, bundlesDir: this.#o.bundlesDir, clock: this.#o.clock });
    this.#onUpgradeEvent = (req, socket, head) => this.#onUpgrade(req, socket, head);
    app.server.on("upgrade", this.#onUpgradeEvent);
    app.addHook("preClose", async () => this.close());
    // New attempts: claims; stops asked for: cancels (both also on every poll).
    this.#unsubscribe = [
      this.#o.signal.subscribe(HUB_TARGET, () => {
        this.#queuedSince = true;
        this.#schedulePass();
      }),
      this.#o.signal.subscribe(HUB_CANCEL_TARGET, () => this.#schedulePass(true)),
    ];
    this.#every(this.#pollMs, () => this.#schedulePass(true));
    this.#every(SWEEP_MS, () => this.#sweeps.request());
    this.#shortcut?.hubs.add(this);
  }

  /** Workers connected now (welcomed), for tests and diagnostics. */
  connectedWorkers(): string[] {
    return [...this.#byWorker.values()].filter((c) => c.phase === "ready").map((c) => c.workerId);
  }

  /** Stops the timers, closes the workers' sockets (they reconnect elsewhere) and waits for work in flight. */
  close(): Promise<void> {
    this.#stopping = true;
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#shortcut?.hubs.delete(this);
    for (const cancel of this.#timers) cancel();
    for (const off of this.#unsubscribe) off();
    this.#reports.close();
    if (this.#onUpgradeEvent !== null) this.#app?.server.off("upgrade", this.#onUpgradeEvent);
    const sockets = [...this.#connections].map((c) => c.socket);
    for (const c of this.#connections) c.close(1001, "server stopping");
    await Promise.allSettled([this.#passes.stop(), this.#sweeps.stop()]);
    await new Promise<void>((resolve) => {
      const open = () => sockets.filter((s) => s.readyState !== s.CLOSED);
      if (open().length === 0) return resolve();
      const cancel = this.#o.clock.setTimer(CLOSE_WAIT_MS, () => {
        for (const s of open()) s.terminate();
        resolve();
      });
      for (const s of open()) {
        s.once("close", () => {
          if (open().length > 0) return;
          cancel();
          resolve();
        });
      }
    });
    this.#wss.close();
  }

  // Connections.

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let path: string;
    try {
      path = new URL(req.url ?? "/", "http://hub").pathname;
    } catch {
      return;
    }
    if (path !== WORKER_CONNECT_PATH) return; // another upgrade handler's
    socket.on("error", () => {}); // a peer that resets before the upgrade completes
    void this.#upgrade(req, socket, head);
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const stopping = { error: { code: "unavailable", message: "the API server is stopping; connect again" } };
    if (this.#stopping) return rejectUpgrade(socket, 503, stopping);
    let auth: Awaited<ReturnType<typeof authenticateWorker>>;
    try {
      auth = await authenticateWorker(this.#o.store, req.headers.authorization, this.#o.clock.now());
    } catch (err) {
      this.#o.logger.warn({ err }, "a worker's token could not be checked");
      return rejectUpgrade(socket, 503, { error: { code: "unavailable", message: "the database is unavailable; connect again" } });
    }
    if ("error" in auth) return rejectUpgrade(socket, 401, unauthorizedBody(auth.error));
    if (this.#stopping) return rejectUpgrade(socket, 503, stopping);
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onSocket(ws, auth.token));
  }

  #onSocket(ws: WebSocket, token: WorkerTokenRecord): void {
    const conn = new WorkerConnection(ws, token, this.#o.clock, this.#o.ackDelayMs ?? ACK_DELAY_MS);
    this.#connections.add(conn);
    conn.cancelHelloTimer = this.#o.clock.setTimer(this.#o.lostAfterMs, () => {
      if (conn.phase === "new") conn.close(1008, "no hello");
    });
    ws.on("message", (data, isBinary) => this.#onFrame(conn, data, isBinary));
    ws.on("close", () => this.#onClose(conn));
    ws.on("error", (err) => this.#o.logger.warn({ err, workerId: conn.workerId }, "worker connection error"));
  }

  #onFrame(conn: WorkerConnection, data: RawData, isBinary: boolean): void {
    if (conn.phase === "closed") return;
    conn.lastHeardAt = this.#o.clock.now();
    if (isBinary) return conn.refuse("binary frames are not part of the worker protocol: send JSON text frames");
    const text = Buffer.isBuffer(data)
      ? data.toString("utf8")
      : Array.isArray(data)
        ? Buffer.concat(data).toString("utf8")
        : Buffer.from(data).toString("utf8");
    if (conn.phase === "hello") conn.waiting.push(text);
    else this.#handle(conn, text);
  }

  #handle(conn: WorkerConnection, text: string): void {
    if (conn.phase === "closed") return;
    const parsed = parseWorkerMessage(text);
    if ("error" in parsed) return conn.refuse(parsed.error);
    if ("unknown" in parsed) {
      this.#o.logger.debug({ workerId: conn.workerId, type: parsed.unknown }, "unknown worker message ignored");
      return;
    }
    const m = parsed.message;
    if (conn.phase === "new") {
      if (m.t !== "hello") return conn.refuse(`the first message must be "hello", got "${m.t}"`);
      this.#whenFails(conn, this.#onHello(conn, m), "the worker could not be registered", true);
      return;
    }
    switch (m.t) {
      case "hello":
        return conn.refuse("hello was already said on this connection");
      case "started":
        return this.#reports.started(conn, m);
      case "finished":
        return this.#reports.finished(conn, m);
      case "log": {
        const held = conn.held.get(m.id);
        if (held !== undefined) this.#logs.append(m.id, held.record.request.logPath, m.data);
        return;
      }
      case "secret":
      case "dagRuns":
        return this.#whenFails(conn, this.#answer(conn, m), "a worker's request could not be answered", false);
      case "heartbeat":
        return this.#whenFails(conn, this.#onHeartbeat(conn, m.holding), "a heartbeat could not be recorded", false);
      case "draining":
        conn.draining = true;
        return this.#whenFails(
          conn,
          this.#o.store.setWorkerState(conn.workerId, "draining", this.#o.clock.now(), null),
          "a draining worker could not be recorded",
          false,
        );
      case "handback":
        return this.#whenFails(conn, this.#onHandback(conn, m.ids), "attempts handed back could not be requeued", false);
    }
  }

  /** Logs a handler's failure (database trouble); `closeConnection`: the worker connects again later. */
  #whenFails(conn: WorkerConnection | undefined, work: Promise<void>, what: string, closeConnection: boolean): void {
    work.catch((err: unknown) => {
      this.#o.logger.warn({ err, workerId: conn?.workerId }, what);
      if (closeConnection) conn?.close(1011, "server error");
    });
  }

  #onClose(conn: WorkerConnection): void {
    conn.phase = "closed";
    conn.cancelHelloTimer?.();
    this.#connections.delete(conn);
    if (conn.hello === null || this.#byWorker.get(conn.workerId) !== conn) return;
    this.#byWorker.delete(conn.workerId);
    this.#o.logger.info({ workerId: conn.workerId, holding: conn.held.size }, "worker disconnected");
    // Not lost for that: it may reconnect. A draining worker with nothing left has stopped.
    if (conn.draining && conn.held.size === 0 && !this.#stopping) {
      this.#whenFails(
        conn,
        this.#o.store.setWorkerState(conn.workerId, "stopped", this.#o.clock.now(), "drained and disconnected"),
        "a stopped worker could not be recorded",
        false,
      );
    }
  }

  /** Registers the worker, records what it finished while away, tells it what it keeps. */
  async #onHello(conn: WorkerConnection, hello: HelloMessage): Promise<void> {
    conn.cancelHelloTimer?.();
    conn.cancelHelloTimer = null;
    const problem = helloProblem(hello, conn.token);
    if (problem !== null) return conn.refuse(problem);
    conn.phase = "hello";
    conn.hello = hello;
    const { store, clock } = this.#o;
    const workerId = hello.workerId;
    const previous = this.#byWorker.get(workerId);
    this.#byWorker.set(workerId, conn);
    previous?.close(1000, "replaced by a newer connection");
    const now = clock.now();
    conn.lastTouchAt = now;
    await store.upsertWorker({
      id: workerId,
      name: hello.name,
      host: hello.host,
      pid: hello.pid,
      tokenId: conn.token.id,
      queues: hello.queues,
      concurrency: hello.concurrency,
      running: hello.holding.length,
      version: hello.version,
      state: "active",
      startedAt: hello.startedAt,
      lastSeenAt: now,
      stateChangedAt: now,
      reason: null,
    });
    for (const r of await store.listWorkerAttempts(workerId))
      conn.held.set(r.attemptId, { record: r, started: r.state === "running", reported: r.state === "running", starting: null });
    await Promise.all(hello.finished.map((report) => new Promise<void>((resolve) => this.#reports.finished(conn, report, resolve))));
    const { keep, requeue, crashed } = reconcileHolding(workerId, conn.held, hello.holding, clock.now());
    const owners = new Map([...conn.held].map(([id, held]) => [id, held.record.schedulerId]));
    for (const id of [...requeue, ...crashed.map((c) => c.attemptId)]) this.#forget(conn, id);
    if (requeue.length > 0) await store.requeueRemoteAttempts(requeue, workerId);
    if (crashed.length > 0) {
      const accepted = new Set(await store.finishRemoteAttempts(crashed));
      for (const c of crashed) if (accepted.has(c.attemptId)) this.#notifyOwner(owners.get(c.attemptId));
    }
    if (conn.closed) return;
    conn.welcome({
      t: "welcome",
      protocol: WORKER_PROTOCOL_VERSION,
      serverVersion: this.#o.version,
      sdkRoot: this.#o.sdkRoot,
      heartbeatMs: this.#o.heartbeatMs,
      lostAfterMs: this.#o.lostAfterMs,
      keep,
    });
    this.#o.logger.info({ workerId, name: hello.name, queues: hello.queues, concurrency: hello.concurrency, kept: keep.length }, "worker connected");
    for (const text of conn.waiting.splice(0)) this.#handle(conn, text);
    if (requeue.length > 0) this.#o.signal.notify(HUB_TARGET);
    this.#schedulePass(true);
  }

  #notifyOwner(schedulerId: string | undefined): void {
    // Orphans ("") have no scheduler to tell.
    if (schedulerId !== undefined && schedulerId !== "") this.#o.signal.notify(schedulerId);
  }

  #forget(conn: WorkerConnection, attemptId: string): void {
    conn.held.delete(attemptId);
    conn.cancelsSent.delete(attemptId);
    this.#logs.forget(attemptId);
  }

  // Requests of running attempts.

  /** Answers `secret`/`dagRuns` for an attempt assigned to this worker and started; otherwise with an error. */
  async #answer(conn: WorkerConnection, m: Extract<WorkerMessage, { t: "secret" | "dagRuns" }>): Promise<void> {
    const held = conn.held.get(m.id);
    if (held?.starting) {
      this.#reports.hurry(); // its `started` may be waiting to be written with its end
      await held.starting;
    }
    const running = held !== undefined && held.started && conn.held.get(m.id) === held;
    if (m.t === "secret") {
      const reply = running
        ? await answerSecret(this.#o.secrets, this.#logs.masker(m.id, conn.workerId), m, true)
        : { req: m.req, error: notRunning(m.id, `ctx.${m.kind}()`), code: "failed" as const };
      conn.send({ t: "secret", ...reply });
    } else {
      const reply = running ? await answerDagRuns(this.#o.dagRuns, m, true) : { req: m.req, error: notRunning(m.id, `${m.op}()`), code: "failed" as const };
      conn.send({ t: "dagRuns", ...reply });
    }
  }

  // Liveness.

  async #onHeartbeat(conn: WorkerConnection, holding: number): Promise<void> {
    const now = this.#o.clock.now();
    if (now - conn.lastTouchAt < TOUCH_MS) return;
    conn.lastTouchAt = now;
    if (await this.#o.store.touchWorker(conn.workerId, now, holding)) return;
    this.#cutOff(conn, "this worker was declared lost (not heard from in time) and its attempts were given to others; restart it");
  }

  /** The worker is not the owner of anything any more: it drops all it holds and is refused. */
  #cutOff(conn: WorkerConnection, reason: string): void {
    const ids = [...conn.held.keys()];
    for (const id of ids) this.#forget(conn, id);
    if (ids.length > 0) conn.send({ t: "drop", ids, reason });
    conn.refuse(reason);
  }

  async #onHandback(conn: WorkerConnection, ids: string[]): Promise<void> {
    conn.recalling = false;
    const owners = ids.map((id) => conn.held.get(id)?.record.schedulerId);
    for (const id of ids) this.#forget(conn, id);
    const requeued = await this.#o.store.requeueRemoteAttempts(ids, conn.workerId);
    // A cancelled one handed back is finished by the store: its scheduler may have news.
    for (const owner of new Set(owners)) this.#notifyOwner(owner);
    if (requeued.length > 0) {
      this.#o.signal.notify(HUB_TARGET);
      this.#schedulePass();
    }
  }

  // The shortcut with the schedulers of this process (MailboxShortcut).

  /**
   * Chooses, for each new row of a scheduler of this process, a worker of its queue with room —
   * most idle processes first, then most room, as a claim does — and holds that room for it. Not
   * while attempts may be waiting in the mailbox (`#backlog`): older ones go first, by claim.
   */
  assign(rows: NewRemoteAttempt[]): void {
    if (this.#stopping || this.#backlog) return;
    const now = this.#o.clock.now();
    const live = [...this.#byWorker.values()].filter((c) => c.phase === "ready" && now - c.lastHeardAt <= this.#o.lostAfterMs);
    for (const row of rows) {
      if (row.workerId !== undefined) continue;
      const serving = live.filter((c) => c.hello?.queues.includes(row.queue) === true);
      const pick = best(serving, (c) => c.idleSlots()) ?? best(serving, (c) => c.room());
      if (pick === undefined) {
        // Left `queued`: claims take it (and what comes after it) from now on.
        this.#backlog = true;
        this.#queuedSince = true;
        continue;
      }
      row.workerId = pick.workerId;
      pick.held.set(row.attemptId, {
        record: { schedulerId: row.schedulerId, queue: row.queue, request: row.request, startedAt: null, pid: null },
        started: false,
        reported: false,
        starting: null,
        unsent: true,
      });
      this.#assigned.set(row.attemptId, pick);
    }
  }

  /** Sends the rows {@link assign} chose a worker for and that were written; gives the room of the others back. */
  written(rows: NewRemoteAttempt[], inserted: ReadonlySet<string>, failed = false): void {
    const runs = new Map<WorkerConnection, NewRemoteAttempt[]>();
    const gone = new Map<string, string[]>();
    for (const row of rows) {
      const conn = this.#assigned.get(row.attemptId);
      if (conn === undefined || conn.workerId !== row.workerId) continue;
      this.#assigned.delete(row.attemptId);
      const held = conn.held.get(row.attemptId);
      const ours = held?.unsent === true;
      if (ours) held.unsent = false;
      if (!inserted.has(row.attemptId)) {
        if (ours) conn.held.delete(row.attemptId);
        // A write that failed may still have committed: such a row must not stay assigned to a worker that never got it.
        if (failed) push(gone, conn.workerId, row.attemptId);
        continue;
      }
      if (ours && conn.phase === "ready" && this.#byWorker.get(conn.workerId) === conn) push(runs, conn, row);
      else {
        // The worker went away (or was cut off) while the row was written: back to the queue.
        if (ours) this.#forget(conn, row.attemptId);
        push(gone, conn.workerId, row.attemptId);
      }
    }
    for (const [conn, sent] of runs) conn.sendRun(sent);
    for (const [workerId, ids] of gone) {
      this.#whenFails(
        undefined,
        this.#o.store.requeueRemoteAttempts(ids, workerId).then((requeued) => {
          if (requeued.length > 0) this.#schedulePass();
        }),
        "attempts assigned to a worker that went away could not be requeued",
        false,
      );
    }
  }

  // Passes: cancels and claims, on each signal and poll, one at a time.

  /** Calls `fn` every `ms` on the clock until the hub closes. */
  #every(ms: number, fn: () => void): void {
    const i = this.#timers.length;
    const arm = () => {
      this.#timers[i] = this.#o.clock.setTimer(ms, () => {
        fn();
        if (!this.#stopping) arm();
      });
    };
    arm();
  }

  /** `cancels`: look for cancels too (a cancel signal, a poll, a hello). */
  #schedulePass(cancels = false): void {
    if (cancels) this.#cancelsDue = true;
    this.#passes.request();
  }

  /** Claims first (the hot path: a new attempt waits for it), then cancels when due, then recalls. */
  async #pass(): Promise<void> {
    const ready = [...this.#byWorker.values()].filter((c) => c.phase === "ready");
    if (ready.length === 0) return;
    const { store, clock } = this.#o;
    const cancels = this.#cancelsDue;
    this.#cancelsDue = false;
    const queuedBefore = this.#backlog || this.#queuedSince;
    this.#queuedSince = false;
    const now = clock.now();
    // A socket silent for this long is probably dead: no new work on it.
    const live = ready.filter((c) => now - c.lastHeardAt <= this.#o.lostAfterMs);
    const { requeued, asked, emptied } = await claimWork(store, live, now, (conn, rows) => {
      if (conn.phase !== "ready" || this.#byWorker.get(conn.workerId) !== conn) return false;
      for (const r of rows) conn.held.set(r.attemptId, { record: r, started: false, reported: false, starting: null } satisfies HeldAttempt);
      conn.sendRun(rows);
      return true;
    });
    if (cancels) {
      for (const row of await store.listRemoteCancels(ready.map((c) => c.workerId))) {
        const conn = row.workerId === null ? undefined : this.#byWorker.get(row.workerId);
        if (conn === undefined || conn.phase !== "ready" || conn.cancelsSent.has(row.attemptId)) continue;
        conn.cancelsSent.add(row.attemptId);
        conn.send({ t: "cancel", id: row.attemptId, reason: row.cancelReason ?? "cancelled" });
      }
    }
    // A queue claims emptied is clear; one they took a full batch from may hold more. One no claim
    // looked at (its workers full) is as it was: a pass while every worker is busy (a poll) must
    // not send later attempts through the mailbox and its claims (docs/workers.md, "One process").
    const queuedAfter = this.#queuedSince || requeued > 0;
    this.#backlog = live.some((c) => (c.hello?.queues ?? []).some((q) => (asked.has(q) ? !emptied.has(q) || queuedAfter : queuedBefore || queuedAfter)));
    recallForIdle(live, emptied);
    if (requeued > 0) this.#passes.request(); // they may suit another worker
  }

  // Sweeps: lost workers, revoked tokens, dead sockets, finished orphans.

  #sweep(): Promise<void> {
    return sweepWorkers(
      {
        ...this.#o,
        logs: this.#logs,
        connections: this.#connections,
        byWorker: this.#byWorker,
        notifyOwner: (schedulerId) => this.#notifyOwner(schedulerId),
        cutOff: (conn, reason) => this.#cutOff(conn, reason),
      },
      ++this.#sweepCount % ORPHAN_SWEEPS === 0,
    );
  }
}

function notRunning(attemptId: string, call: string): string {
  return `${call} was refused: attempt ${attemptId} is not running on this worker (the API server answers only for a started attempt assigned to the worker that asks)`;
}
