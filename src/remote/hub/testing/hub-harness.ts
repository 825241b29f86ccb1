import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { WebSocket } from "ws";
import { createApiToken } from "../../../api/auth/api-token.js";
import { createWorkerToken } from "../../../api/auth/worker-token.js";
import { buildApiServer } from "../../../api/server.js";
import { BatonError } from "../../../core/errors.js";
import type { AttemptRequest } from "../../../core/ports/executor.js";
import { silentLogger } from "../../../core/ports/logger.js";
import { HUB_TARGET, InProcessRemoteSignal } from "../../../core/ports/remote-signal.js";
import type { SecretsResolver } from "../../../core/ports/secrets-resolver.js";
import { ManualClock } from "../../../core/testing/manual-clock.js";
import type { FullStore } from "../../../store/full-store.js";
import { openSqliteStore } from "../../../store/sqlite/open-sqlite-store.js";
import { taskSpec } from "../../../store/contract/fixtures.js";
import { WORKER_CONNECT_PATH, WORKER_PROTOCOL_VERSION, type ServerMessage, type WorkerMessage } from "../../protocol.js";
import { WorkerHub } from "../worker-hub.js";

export const T0 = Date.parse("2026-01-01T00:00:00Z");
export const LOST_MS = 10_000;
export const SDK_ROOT = "file:///opt/baton/dist/src/";

/** Waits (real time, with a deadline) until `check` returns a value other than undefined/false. */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A `ws` client speaking the worker protocol, recording what the server sends. */
export class TestWorker {
  readonly messages: ServerMessage[] = [];
  closed = false;
  closeCode: number | null = null;

  constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => this.messages.push(JSON.parse(String(data)) as ServerMessage));
    socket.on("close", (code) => {
      this.closed = true;
      this.closeCode = code;
    });
  }

  send(message: WorkerMessage | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  /** The first message of type `t` (matching `where`) received, waiting for it. */
  next<T extends ServerMessage["t"]>(t: T, where: (m: Extract<ServerMessage, { t: T }>) => boolean = () => true): Promise<Extract<ServerMessage, { t: T }>> {
    return eventually(() => this.all(t).find(where), `a "${t}" message`);
  }

  all<T extends ServerMessage["t"]>(t: T): Extract<ServerMessage, { t: T }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { t: T }> => m.t === t);
  }

  /** Ids of every attempt received in `run` messages. */
  runIds(): string[] {
    return this.all("run").flatMap((m) => m.attempts.map((a) => a.attemptId));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.socket.close();
    await eventually(() => this.closed, "the client socket to close");
  }
}

export interface HelloFields {
  workerId: string;
  queues?: string[];
  concurrency?: number;
  prefetch?: number;
  /** Says it takes run parts (src/remote/run-parts.ts). */
  runParts?: boolean;
  holding?: string[];
  finished?: Extract<WorkerMessage, { t: "hello" }>["finished"];
  protocol?: number;
}

/**
 * A real API server on 127.0.0.1 (buildApiServer, sign-in required) with a WorkerHub attached,
 * over a migrated SQLite file, a ManualClock and an in-process signal.
 */
export class HubHarness {
  readonly clock = new ManualClock(T0);
  readonly signal = new InProcessRemoteSignal();
  /** Signals received per target (scheduler ids), besides the hub's. */
  readonly signalled = new Map<string, number>();
  readonly workers: TestWorker[] = [];
  hub!: WorkerHub;
  app!: FastifyInstance;
  store!: FullStore;
  origin = "";

  private constructor(readonly dir: string) {}

  get logsDir(): string {
    return join(this.dir, "logs");
  }

  get bundlesDir(): string {
    return join(this.dir, "bundles");
  }

  /**
   * `startedDelayMs` and `ackDelayMs`: default 0 here (starts written and results acknowledged at
   * once), so tests need not move the clock for them.
   */
  static async start(options: { secrets?: SecretsResolver; startedDelayMs?: number; ackDelayMs?: number } = {}): Promise<HubHarness> {
    const h = new HubHarness(mkdtempSync(join(tmpdir(), "baton-hub-")));
    mkdirSync(h.bundlesDir);
    h.store = await openSqliteStore(join(h.dir, "baton.db"));
    h.hub = new WorkerHub({
      store: h.store.workers,
      signal: h.signal,
      clock: h.clock,
      logger: silentLogger,
      secrets: options.secrets ?? null,
      dagRuns: null,
      sdkRoot: SDK_ROOT,
      version: "9.9.9-test",
      lostAfterMs: LOST_MS,
      heartbeatMs: 2_000,
      bundlesDir: h.bundlesDir,
      startedDelayMs: options.startedDelayMs ?? 0,
      ackDelayMs: options.ackDelayMs ?? 0,
    });
    const store = h.store;
    h.app = await buildApiServer({
      store,
      inbox: store,
      auth: store,
      audit: store,
      datasets: store,
      changes: { subscribe: () => () => {} },
      mode: "required",
      logsDir: h.logsDir,
      triggerRun: () => Promise.reject(new BatonError("not in this test")),
      createBackfill: () => Promise.reject(new BatonError("not in this test")),
      workerHub: h.hub,
      now: () => h.clock.now(),
    });
    await h.app.listen({ host: "127.0.0.1", port: 0 });
    const address = h.app.server.address();
    if (address === null || typeof address === "string") throw new Error("no TCP address");
    h.origin = `http://127.0.0.1:${address.port}`;
    return h;
  }

  /** Counts the signals to `target` from now on. */
  watch(target: string): void {
    this.signal.subscribe(target, () => this.signalled.set(target, (this.signalled.get(target) ?? 0) + 1));
  }

  async workerToken(queues: string[] | null): Promise<{ token: string; id: string }> {
    const { token, record } = await createWorkerToken(this.store.workers, { name: "test", queues, createdBy: "admin" }, this.clock.now());
    return { token, id: record.id };
  }

  async userToken(): Promise<string> {
    if (!(await this.store.getUser("admin")))
      await this.store.createUser({ username: "admin", role: "admin", passwordHash: "x", disabled: false, createdAt: T0 });
    return (await createApiToken(this.store, "admin", "test", "admin", null, this.clock.now())).token;
  }

  request(attemptId: string): AttemptRequest {
    return requestFor(attemptId, this.bundlesDir, this.logsDir);
  }

  /** Queues attempts as a scheduler does, and signals the hubs. */
  async enqueue(ids: string[], queue = "default", schedulerId = "sched-1"): Promise<void> {
    await this.store.workers.enqueueRemoteAttempts(
      ids.map((id) => ({ attemptId: id, runPk: 1, schedulerId, queue, request: this.request(id), createdAt: this.clock.now() })),
    );
    this.signal.notify(HUB_TARGET);
  }

  /** Opens the WebSocket; resolves with the worker, or with the HTTP status and body of a refused upgrade. */
  open(token: string | null): Promise<TestWorker | { status: number; body: string }> {
    const headers = token === null ? {} : { authorization: `Bearer ${token}` };
    const socket = new WebSocket(`ws://127.0.0.1:${new URL(this.origin).port}${WORKER_CONNECT_PATH}`, { headers });
    return new Promise((resolve, reject) => {
      socket.once("open", () => {
        const w = new TestWorker(socket);
        this.workers.push(w);
        resolve(w);
      });
      socket.once("unexpected-response", (_req, res: IncomingMessage) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      socket.once("error", reject);
    });
  }

  /** Opens and says hello; resolves once the server answered (welcome or refused). */
  async connect(token: string, hello: HelloFields): Promise<TestWorker> {
    const w = await this.open(token);
    if (!(w instanceof TestWorker)) throw new Error(`upgrade refused: ${w.status} ${w.body}`);
    w.send({
      t: "hello",
      protocol: hello.protocol ?? WORKER_PROTOCOL_VERSION,
      workerId: hello.workerId,
      name: hello.workerId,
      host: "test-host",
      pid: 4242,
      version: "9.9.9-test",
      queues: hello.queues ?? ["default"],
      concurrency: hello.concurrency ?? 2,
      ...(hello.prefetch === undefined ? {} : { prefetch: hello.prefetch }),
      ...(hello.runParts === undefined ? {} : { runParts: hello.runParts }),
      startedAt: T0,
      holding: hello.holding ?? [],
      finished: hello.finished ?? [],
    });
    await eventually(() => w.messages.some((m) => m.t === "welcome" || m.t === "refused") || w.closed, "welcome or refused");
    return w;
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.socket.terminate();
    await this.app.close();
    await this.signal.close();
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An attempt request as a scheduler builds it, naming a bundle under `bundlesDir` by a made-up sha256. */
export function requestFor(attemptId: string, bundlesDir: string, logsDir: string): AttemptRequest {
  return {
    attemptId,
    runPk: 1,
    taskId: attemptId,
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 1,
    bundlePath: join(bundlesDir, `${"a".repeat(64)}.mjs`),
    task: taskSpec(attemptId),
    context: {
      dagId: "etl",
      runId: "r1",
      runType: "manual",
      logicalDate: null,
      dataIntervalStart: null,
      dataIntervalEnd: null,
      timezone: "UTC",
      params: {},
      conf: {},
    },
    inputs: {},
    logPath: join(logsDir, "etl", `${attemptId}.log`),
    maxOutputBytes: 1024,
  };
}
