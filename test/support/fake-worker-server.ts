import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { loadDagFiles } from "../../src/dag-processor/load-dag-files.js";
import { tempProject } from "../../src/dag-processor/temp-project.js";
import {
  WORKER_BUNDLE_PATH,
  WORKER_CONNECT_PATH,
  WORKER_PROTOCOL_VERSION,
  type DagRunsAnswer,
  type SecretAnswer,
  type ServerMessage,
  type WorkerMessage,
} from "../../src/remote/protocol.js";

/**
 * A real bundle of `dagSource` (built by the DAG loader), as a server installed at another path
 * would serve it: its imports of `localSdkRoot` (the `file:` URL of this checkout's dist/src/) are
 * turned into imports under `serverSdkRoot`. Returns its bytes and their sha256.
 */
export async function bundleAsServedFrom(dagSource: string, localSdkRoot: string, serverSdkRoot: string): Promise<{ code: Buffer; sha: string }> {
  const p = tempProject();
  const file = p.write("remote.ts", dagSource);
  const [result] = await loadDagFiles([file], { bundleDir: p.bundleDir, timeoutMs: 20_000 });
  const bundlePath = result?.dags[0]?.bundlePath;
  if (bundlePath === undefined) throw new Error(`the DAG did not load: ${JSON.stringify(result?.errors)}`);
  const built = readFileSync(bundlePath, "utf8");
  if (!built.includes(localSdkRoot)) throw new Error(`the bundle does not import the SDK under ${localSdkRoot}`);
  const code = Buffer.from(built.split(localSdkRoot).join(serverSdkRoot.endsWith("/") ? serverSdkRoot : `${serverSdkRoot}/`));
  return { code, sha: createHash("sha256").update(code).digest("hex") };
}

type Hello = Extract<WorkerMessage, { t: "hello" }>;

export interface FakeWorkerServerOptions {
  token: string;
  /** Bundles served by sha256: the bytes given (which need not hash to the name). */
  bundles?: Map<string, Buffer>;
  sdkRoot: string;
  heartbeatMs?: number;
  lostAfterMs?: number;
  /** `keep` for a hello; default: everything it holds. */
  keep?: (hello: Hello, connection: number) => string[];
  /** When set, every hello is answered `refused` with this error. */
  refuse?: string | null;
  /** Acknowledge `finished` reports (in messages and in hello) at once. Default true. */
  autoAck?: boolean;
  secret?: (q: Extract<WorkerMessage, { t: "secret" }>) => Omit<SecretAnswer, "req"> | null;
  dagRuns?: (q: Extract<WorkerMessage, { t: "dagRuns" }>) => Omit<DagRunsAnswer, "req">;
}

export interface Received {
  /** 0 for the first connection, 1 for the next… */
  connection: number;
  message: WorkerMessage;
}

/**
 * Test support: plays the API server's side of the worker protocol (src/remote/protocol.ts) on
 * 127.0.0.1 — the WebSocket at WORKER_CONNECT_PATH (token checked at the upgrade: 401 otherwise)
 * and the bundle route — and records every message a worker sends.
 */
export class FakeWorkerServer {
  readonly received: Received[] = [];
  readonly bundleRequests: string[] = [];
  readonly sockets: WebSocket[] = [];
  /** While true, connections are answered 503 (as a server that is stopping or lost its database). */
  unavailable = false;
  readonly #waiters: { match: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  readonly #wss = new WebSocketServer({ noServer: true });

  private constructor(
    readonly options: FakeWorkerServerOptions,
    readonly server: Server,
    readonly url: string,
  ) {}

  static async start(options: FakeWorkerServerOptions): Promise<FakeWorkerServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const fake = new FakeWorkerServer(options, server, url);
    server.on("request", (req, res) => {
      const path = req.url ?? "";
      if (!path.startsWith(WORKER_BUNDLE_PATH)) return void res.writeHead(404).end();
      if (req.headers.authorization !== `Bearer ${options.token}`) return void res.writeHead(401).end('{"error":"bad token"}');
      const sha = path.slice(WORKER_BUNDLE_PATH.length);
      fake.bundleRequests.push(sha);
      const code = options.bundles?.get(sha);
      if (code === undefined) return void res.writeHead(404).end('{"error":"no such bundle"}');
      res.writeHead(200, { "content-type": "text/javascript" }).end(code);
    });
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (req.url !== WORKER_CONNECT_PATH) return void socket.destroy();
      if (fake.unavailable) {
        const body = '{"error":{"code":"unavailable","message":"stopping"}}';
        socket.end(`HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
        return;
      }
      if (req.headers.authorization !== `Bearer ${options.token}`) {
        const body = '{"error":{"code":"unauthorized","message":"invalid or revoked worker token"}}';
        socket.end(`HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
        return;
      }
      fake.#wss.handleUpgrade(req, socket, head, (ws) => fake.#accept(ws));
    });
    return fake;
  }

  /** The latest connection's socket. */
  get socket(): WebSocket {
    const s = this.sockets[this.sockets.length - 1];
    if (s === undefined) throw new Error("no worker connected");
    return s;
  }

  send(message: ServerMessage, socket = this.socket): void {
    socket.send(JSON.stringify(message));
  }

  messages<T extends WorkerMessage["t"]>(t: T): Extract<WorkerMessage, { t: T }>[] {
    return this.received.filter((r) => r.message.t === t).map((r) => r.message as Extract<WorkerMessage, { t: T }>);
  }

  /** The text of every `log` message for attempt `id`, in order. */
  logOf(id: string): string {
    return this.messages("log")
      .filter((m) => m.id === id)
      .map((m) => m.data)
      .join("");
  }

  /** Resolves with the first message (already received or to come) that matches. */
  waitFor<T extends WorkerMessage["t"]>(
    t: T,
    match: (m: Extract<WorkerMessage, { t: T }>, r: Received) => boolean = () => true,
    timeoutMs = 20_000,
  ): Promise<Extract<WorkerMessage, { t: T }>> {
    const test = (r: Received) => r.message.t === t && match(r.message as Extract<WorkerMessage, { t: T }>, r);
    const seen = this.received.find(test);
    if (seen) return Promise.resolve(seen.message as Extract<WorkerMessage, { t: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${t}" message within ${timeoutMs} ms; received: ${JSON.stringify(this.received.map((r) => r.message.t))}`)),
        timeoutMs,
      );
      this.#waiters.push({
        match: test,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r.message as Extract<WorkerMessage, { t: T }>);
        },
      });
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.#wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #accept(ws: WebSocket): void {
    const connection = this.sockets.length;
    this.sockets.push(ws);
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as WorkerMessage;
      const r = { connection, message };
      this.received.push(r);
      this.#react(ws, r);
      for (const w of [...this.#waiters]) {
        if (w.match(r)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(r);
        }
      }
    });
  }

  #react(ws: WebSocket, { connection, message }: Received): void {
    const o = this.options;
    const autoAck = o.autoAck ?? true;
    const send = (m: ServerMessage) => ws.send(JSON.stringify(m));
    if (message.t === "hello") {
      if (o.refuse) {
        send({ t: "refused", error: o.refuse });
        ws.close(4001, "refused");
        return;
      }
      send({
        t: "welcome",
        protocol: WORKER_PROTOCOL_VERSION,
        serverVersion: "test",
        sdkRoot: o.sdkRoot,
        heartbeatMs: o.heartbeatMs ?? 100,
        lostAfterMs: o.lostAfterMs ?? 10_000,
        keep: o.keep ? o.keep(message, connection) : message.holding,
      });
      if (autoAck && message.finished.length > 0) send({ t: "ack", ids: message.finished.map((f) => f.id) });
    } else if (message.t === "finished" && autoAck) {
      send({ t: "ack", ids: [message.id] });
    } else if (message.t === "secret") {
      const answer = o.secret?.(message) ?? { error: `no ${message.kind} "${message.name}"`, code: "not_found" as const };
      send({ t: "secret", req: message.req, ...answer } as ServerMessage);
    } else if (message.t === "dagRuns") {
      const answer = o.dagRuns?.(message) ?? { error: "not served here", code: "unavailable" as const };
      send({ t: "dagRuns", req: message.req, ...answer } as ServerMessage);
    }
  }
}
