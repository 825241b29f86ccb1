import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AlertContext } from "../../core/model/alerts.js";

export interface Received {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A service's stand-in on 127.0.0.1: records every request and answers with the replies the
 * test scripted for its method and path (first match, used once), else `fallback`.
 */
export class StandInServer {
  readonly received: Received[] = [];
  #scripted: { method: string; path: string | RegExp; reply: Reply }[] = [];
  #server: Server;
  fallback: (r: Received) => Reply = () => ({ status: 200, body: "ok" });

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<StandInServer> {
    let self: StandInServer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        let body: unknown = raw;
        try {
          body = raw === "" ? undefined : JSON.parse(raw);
        } catch {
          /* not JSON */
        }
        const r: Received = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, raw, body };
        self!.received.push(r);
        const path = r.url.split("?")[0]!;
        const i = self!.#scripted.findIndex((s) => s.method === r.method && (typeof s.path === "string" ? s.path === path : s.path.test(path)));
        const reply = i >= 0 ? self!.#scripted.splice(i, 1)[0]!.reply : self!.fallback(r);
        const text = reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
        res.writeHead(reply.status, { "content-type": typeof reply.body === "string" ? "text/plain" : "application/json", ...reply.headers });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    self = new StandInServer(server);
    return self;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Answers the next `method path` request with `reply`. */
  reply(method: string, path: string | RegExp, reply: Reply): this {
    this.#scripted.push({ method, path, reply });
    return this;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** A task failure alert; override what the test needs. */
export function sampleAlert(extra: Partial<AlertContext> = {}): AlertContext {
  return {
    event: "failure",
    severity: "error",
    dagId: "etl",
    runId: "scheduled__2026-01-05T00:00:00Z",
    taskId: "load",
    mapIndex: -1,
    tryNumber: 3,
    state: "failed",
    error: { message: 'relation "sales" does not exist', stack: 'Error: relation "sales" does not exist\n    at load (dags/etl.ts:12:11)' },
    owner: "data-team",
    tags: ["sales"],
    runUrl: "https://baton.example.com/dags/etl/runs/scheduled__2026-01-05T00:00:00Z",
    logUrl: "https://baton.example.com/dags/etl/runs/scheduled__2026-01-05T00:00:00Z/tasks/load/logs/3",
    at: Date.UTC(2026, 0, 5, 1, 2, 3),
    dedupKey: "baton/etl/load",
    ...extra,
  };
}
