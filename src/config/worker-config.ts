import { availableParallelism, homedir, hostname } from "node:os";
import { join, resolve } from "node:path";
import { InvalidInputError } from "../core/errors.js";
import { DEFAULT_QUEUE, QUEUE_NAME } from "../core/model/workers.js";
import { Secret } from "../core/secrets/secret.js";

/** `baton worker`'s settings (docs/workers.md#running-a-worker): flags over environment variables. */
export interface WorkerConfig {
  /** The API server's URL, `http(s)://host[:port][/prefix]` (`--server`, BATON_SERVER). */
  server: string;
  /** A worker token, `batonw_…` (`--token`, BATON_WORKER_TOKEN); never printed. */
  token: Secret;
  /** `--queues`, BATON_QUEUES; default `["default"]`. */
  queues: string[];
  /** Attempts run at once (`--concurrency`, BATON_WORKER_CONCURRENCY); default one per CPU. */
  concurrency: number;
  /**
   * Most attempts held at once, running plus waiting to start (`--prefetch`, BATON_WORKER_PREFETCH);
   * default 4 × concurrency.
   */
  prefetch: number;
  /** `--name`; default the host name. */
  name: string;
  /** Bundles and log spools (`--cache-dir`); default `$BATON_HOME/worker-cache`, else `~/.baton/worker-cache`. */
  cacheDir: string;
  /** `--home`, BATON_HOME; default `~/.baton`. */
  home: string;
  /** What running attempts get to finish after SIGTERM (`--grace` in seconds); default 30 s. */
  graceMs: number;
  logLevel: string;
}

export interface WorkerOverrides {
  server?: string;
  token?: string;
  queues?: string;
  concurrency?: string;
  prefetch?: string;
  name?: string;
  cacheDir?: string;
  home?: string;
  grace?: string;
}

/**
 * Reads `baton worker`'s configuration. Throws InvalidInputError (exit 2) naming the flag and the
 * variable when the server or token is missing or a value is wrong.
 */
export function loadWorkerConfig(overrides: WorkerOverrides = {}, env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const get = (flag: string | undefined, key: string) => {
    const v = (flag ?? env[key])?.trim();
    return v === undefined || v === "" ? undefined : v;
  };
  const server = get(overrides.server, "BATON_SERVER");
  if (server === undefined) throw new InvalidInputError("the API server is missing: pass --server <url> or set BATON_SERVER (e.g. https://baton.example.com)");
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new InvalidInputError(`--server must be an http(s) URL such as https://baton.example.com, got "${server}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidInputError(`--server must be an http(s) URL such as https://baton.example.com, got "${server}"`);
  }
  const token = get(overrides.token, "BATON_WORKER_TOKEN");
  if (token === undefined)
    throw new InvalidInputError("the worker token is missing: pass --token <token> or set BATON_WORKER_TOKEN (create one with `baton tokens create --worker`)");

  const queues = (get(overrides.queues, "BATON_QUEUES") ?? DEFAULT_QUEUE)
    .split(",")
    .map((q) => q.trim())
    .filter((q) => q !== "");
  for (const q of queues) {
    if (!QUEUE_NAME.test(q)) throw new InvalidInputError(`queue name "${q}" is invalid: use 1-64 letters, digits, "_", "-" or "."`);
  }
  if (queues.length === 0) throw new InvalidInputError("--queues (BATON_QUEUES) names no queue");

  const rawConcurrency = get(overrides.concurrency, "BATON_WORKER_CONCURRENCY");
  const concurrency = rawConcurrency === undefined ? availableParallelism() : Number(rawConcurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidInputError(`--concurrency (BATON_WORKER_CONCURRENCY) must be a whole number of at least 1, got "${rawConcurrency}"`);
  }

  const rawPrefetch = get(overrides.prefetch, "BATON_WORKER_PREFETCH");
  const prefetch = rawPrefetch === undefined ? 4 * concurrency : Number(rawPrefetch);
  if (!Number.isInteger(prefetch) || prefetch < 1) {
    throw new InvalidInputError(`--prefetch (BATON_WORKER_PREFETCH) must be a whole number of at least 1, got "${rawPrefetch}"`);
  }

  const rawGrace = overrides.grace?.trim();
  const graceSeconds = rawGrace === undefined || rawGrace === "" ? 30 : Number(rawGrace);
  if (!Number.isFinite(graceSeconds) || graceSeconds < 0) throw new InvalidInputError(`--grace must be a number of seconds ≥ 0, got "${rawGrace}"`);

  const home = resolve(get(overrides.home, "BATON_HOME") ?? join(homedir(), ".baton"));
  return {
    server: url.href.replace(/\/+$/, ""),
    token: new Secret(token),
    queues: [...new Set(queues)],
    concurrency,
    prefetch,
    name: overrides.name?.trim() || hostname(),
    cacheDir: resolve(overrides.cacheDir?.trim() || join(home, "worker-cache")),
    home,
    graceMs: Math.round(graceSeconds * 1000),
    logLevel: env.BATON_LOG_LEVEL ?? "info",
  };
}

/**
 * Removes BATON_WORKER_TOKEN from this process's environment once it is in the config, so the
 * task runners and shell commands the worker starts do not inherit the worker's credential.
 */
export function withholdWorkerToken(env: NodeJS.ProcessEnv = process.env): void {
  delete env.BATON_WORKER_TOKEN;
}
