import { randomBytes } from "node:crypto";
import { availableParallelism, homedir, hostname } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BatonError } from "../../core/errors.js";
import { DEFAULT_QUEUE } from "../../core/model/workers.js";
import { systemClock, type Clock } from "../../core/ports/clock.js";
import { silentLogger, type Logger } from "../../core/ports/logger.js";
import type { Secret } from "../../core/secrets/secret.js";
import { WORKER_CONNECT_PATH } from "../protocol.js";

export interface WorkerAgentOptions {
  /** The API server, `http(s)://host[:port][/prefix]`: the socket goes to `ws(s)://…/api/v1/workers/connect`. */
  server: string;
  /** A worker token (`batonw_…`). */
  token: Secret;
  /** Default `["default"]`. */
  queues?: string[];
  /** Attempts run at once, each in its own warm process. Default os.availableParallelism(). */
  concurrency?: number;
  /**
   * Most attempts held at once, running plus waiting to start (said in `hello`; the server sends
   * no more), so a process goes from one short attempt to the next without a round trip to the
   * server. Default 4 × concurrency. The server recalls waiting ones when another worker is idle.
   */
  prefetch?: number;
  /** Shown to operators. Default the host name. */
  name?: string;
  /** Bundles (`bundles/`) and log spools (`logs/`). Default `~/.baton/worker-cache` (`baton worker` honours BATON_HOME). */
  cacheDir?: string;
  /** What running attempts get to finish when draining. Default 30 s. */
  graceMs?: number;
  /** Baton's version, said in `hello`. */
  version?: string;
  logger?: Logger;
  clock?: Clock;
  /** When draining: how long to wait for the server to acknowledge the last results. Default 10 s. */
  deliverMs?: number;
  /** A task's question (connection, variable, cross-DAG call) not answered within this fails. Default 60 s. */
  requestTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL when an attempt is stopped (LocalProcessExecutor's `killGraceMs`). Default 5 s. */
  killGraceMs?: number;
}

export type ResolvedWorkerOptions = Required<WorkerAgentOptions>;

export function resolveWorkerOptions(options: WorkerAgentOptions): ResolvedWorkerOptions {
  const concurrency = options.concurrency ?? availableParallelism();
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new BatonError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  const prefetch = options.prefetch ?? 4 * concurrency;
  if (!Number.isInteger(prefetch) || prefetch < 1) throw new BatonError(`prefetch must be a whole number of at least 1, got ${prefetch}`);
  return {
    queues: [DEFAULT_QUEUE],
    name: hostname(),
    cacheDir: join(homedir(), ".baton", "worker-cache"),
    graceMs: 30_000,
    version: "unknown",
    logger: silentLogger,
    clock: systemClock,
    deliverMs: 10_000,
    requestTimeoutMs: 60_000,
    killGraceMs: 5_000,
    ...definedOnly(options),
    server: options.server.replace(/\/+$/, ""),
    token: options.token,
    concurrency,
    prefetch,
  };
}

/** `http(s)://host/prefix` → `ws(s)://host/prefix/api/v1/workers/connect`. */
export function connectUrlOf(server: string): string {
  const url = new URL(server.replace(/\/+$/, "") + WORKER_CONNECT_PATH);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  else throw new BatonError(`the server URL must start with http:// or https://, got "${server}"`);
  return url.href;
}

/** `host:pid:random`: this process's id toward the server, the same across reconnections. */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
}

/**
 * `file:` URL (ending in `/`) of this process's compiled `src/` folder, whose `sdk/index.js` the
 * bundles must import; from the .ts sources (vitest), the compiled one under `dist/`.
 */
export function localSdkRoot(): string {
  const here = fileURLToPath(import.meta.url);
  let root = resolve(dirname(here), "..", "..");
  if (here.endsWith(".ts")) root = root.replace(new RegExp(`\\${sep}src$`), `${sep}dist${sep}src`);
  return `${pathToFileURL(root).href}/`;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
