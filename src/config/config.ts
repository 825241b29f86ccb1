import { isIP } from "node:net";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { parseDuration } from "../core/model/duration.js";
import { Secret } from "../core/secrets/secret.js";

/**
 * Everything Baton reads from the environment, in one place. Nothing else reads process.env.
 */
export interface BatonConfig {
  /** State directory: embedded database, logs, compiled DAG bundles. */
  home: string;
  dagsDir: string;
  /** `postgres://…` or a SQLite file path. */
  databaseUrl: string;
  logsDir: string;
  bundleDir: string;
  /**
   * Warm task-runner processes (BATON_WORKERS / `--workers`): the local pool, which serves the
   * `default` queue. 0: none — every attempt goes to remote workers (docs/workers.md).
   */
  workers: number;
  /** BATON_REMOTE_WINDOW: attempts in flight (queued in the mailbox or running) per remote queue; default 1,000. */
  remoteWindow: number;
  /** Attempts handed to one worker ahead of time. */
  prefetch: number;
  maxOutputBytes: number;
  /**
   * BATON_VALUE_STORE: where return values over {@link valueStoreThresholdBytes} are kept, only a
   * reference in the database (docs/storage.md#large-return-values): `file:///abs/folder`,
   * `s3://bucket/prefix`, `az://container/prefix`, `gs://bucket/prefix`. Default `file://$BATON_HOME/values/`.
   */
  valueStoreUrl: string;
  /** BATON_VALUE_STORE_CONN: the connection (id or URI) with the value store's credentials; null: the SDK's defaults. */
  valueStoreConn: string | null;
  /** BATON_VALUE_STORE_THRESHOLD: values over this many bytes are offloaded (default 64 KiB; 0: every value); null (`off`): none. */
  valueStoreThresholdBytes: number | null;
  dagFileTimeoutMs: number;
  /** Heap limit of each DAG-file loader process in MB; 0: Node's default. */
  dagFileMemoryMb: number;
  /**
   * BATON_DAG_TYPECHECK: the scheduler processes type-check the DAG folder in the background after
   * each sync that changed files and record type errors as import warnings (default on; `off`,
   * `0` or `false`: never). Needs the `typescript` package; without it, skipped.
   */
  dagTypeCheck: boolean;
  shutdownGraceMs: number;
  /** How often the scheduler looks for due schedules and external requests. */
  pollMs: number;
  /**
   * BATON_TASK_QUEUED_TIMEOUT_MS: an attempt handed to the executor that has not started within
   * this long is taken back, queued again twice, then failed (Airflow's task_queued_timeout,
   * 600 s; docs/executor.md). 0: never.
   */
  taskQueuedTimeoutMs: number;
  /** BATON_SCHEDULER_HEARTBEAT_MS: how often a scheduler renews its lease and watches the others' (docs/adr/0007). */
  schedulerHeartbeatMs: number;
  /** BATON_SCHEDULER_LEASE_MS: how long another scheduler's lease may go unrenewed before it is fenced and its work adopted. */
  schedulerLeaseMs: number;
  logLevel: string;
  /** Where the API and UI listen (127.0.0.1 unless told otherwise). */
  apiHost: string;
  /** 0 picks a free port. */
  apiPort: number;
  /** BATON_METRICS_PORT / `--metrics-port`: serve `GET /metrics` also on this port, without auth (docs/metrics.md); null: not (0 picks a free port). */
  metricsPort: number | null;
  /** BATON_METRICS_HOST: where that port listens; default the API's address (BATON_API_HOST). */
  metricsHost: string;
  /** Standalone only: "local" lets requests without credentials act as admin; "required" does not. */
  standaloneAuth: "local" | "required";
  /** BATON_COOKIE_SECURE: the session cookie's `Secure` — always, never, or "auto" (when the request came over HTTPS). */
  cookieSecure: boolean | "auto";
  /**
   * BATON_TRUST_PROXY: whose `X-Forwarded-For`/`X-Forwarded-Proto` the API believes — false (nobody),
   * true (any peer), or a comma-separated list of addresses/CIDRs (Fastify's `trustProxy`).
   */
  trustProxy: boolean | string;
  /** BATON_AUDIT_RETENTION_DAYS: audit entries older than this many days are pruned (default 365; 0 keeps them forever). */
  auditRetentionDays: number;
  /** BATON_RUN_RETENTION (e.g. 90d): the scheduler deletes finished runs that ended longer ago; null (unset, off or 0) keeps them. */
  runRetentionMs: number | null;
  /** BATON_RUN_RETENTION_INTERVAL: how often that retention runs (default 1h). */
  runRetentionIntervalMs: number;
  /** BATON_SECRET_KEY (base64 of 32 bytes, or a passphrase); null: use `secretKeyFile`. */
  secretKey: Secret | null;
  /** `$BATON_HOME/secret.key`: the generated key when BATON_SECRET_KEY is not set. */
  secretKeyFile: string;
  /** The `BATON_CONN_*` and `BATON_VAR_*` variables (connections and variables defined in the environment). */
  secretEnv: Readonly<Record<string, string>>;
}

export interface ConfigOverrides {
  home?: string;
  dags?: string;
  host?: string;
  port?: string;
  auth?: string;
  /** `--workers N`: overrides BATON_WORKERS. */
  workers?: string;
  /** `--metrics-port N`: overrides BATON_METRICS_PORT. */
  metricsPort?: string;
}

function intFrom(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${key} must be a non-negative integer, got "${raw}"`);
  return n;
}

function atLeastOne(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const n = intFrom(env, key, fallback);
  if (n < 1) throw new Error(`${key} must be a whole number of at least 1, got "${env[key]}"`);
  return n;
}

function authMode(raw: string | undefined): "local" | "required" {
  if (raw === undefined || raw === "" || raw === "local") return "local";
  if (raw === "required") return "required";
  throw new Error(`BATON_AUTH must be "local" or "required", got "${raw}"`);
}

function cookieSecure(raw: string | undefined): boolean | "auto" {
  if (raw === undefined || raw === "" || raw === "auto") return "auto";
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new Error(`BATON_COOKIE_SECURE must be "true", "false" or "auto", got "${raw}"`);
}

function metricsPort(raw: string | undefined): number | null {
  if (raw === undefined || raw === "") return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`BATON_METRICS_PORT must be a port number (0-65535; 0 picks a free port), got "${raw}"`);
  return n;
}

const PROXY_RANGE_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

function trustProxy(raw: string | undefined): boolean | string {
  if (raw === undefined || raw === "" || raw === "false") return false;
  if (raw === "true") return true;
  const entries = raw.split(",").map((e) => e.trim());
  for (const e of entries) {
    const [address, bits, extra] = e.split("/");
    const okBits = bits === undefined || /^\d{1,3}$/.test(bits);
    if (extra !== undefined || !okBits || !(isIP(address ?? "") !== 0 || (bits === undefined && PROXY_RANGE_NAMES.has(e)))) {
      throw new Error(
        `BATON_TRUST_PROXY must be "true", "false" or a comma-separated list of proxy addresses or CIDRs (or loopback, linklocal, uniquelocal), got "${e}" in "${raw}"`,
      );
    }
  }
  return entries.join(",");
}

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): BatonConfig {
  if (overrides.host !== undefined) env = { ...env, BATON_API_HOST: overrides.host };
  if (overrides.port !== undefined) env = { ...env, BATON_API_PORT: overrides.port };
  if (overrides.auth !== undefined) env = { ...env, BATON_AUTH: overrides.auth };
  if (overrides.workers !== undefined) env = { ...env, BATON_WORKERS: overrides.workers };
  if (overrides.metricsPort !== undefined) env = { ...env, BATON_METRICS_PORT: overrides.metricsPort };
  const home = resolve(overrides.home ?? env.BATON_HOME ?? ".baton");
  const dagsDir = resolve(overrides.dags ?? env.BATON_DAGS ?? "dags");
  return {
    home,
    dagsDir,
    databaseUrl: env.BATON_DATABASE_URL || join(home, "baton.db"),
    logsDir: join(home, "logs"),
    bundleDir: join(home, "bundles"),
    workers: intFrom(env, "BATON_WORKERS", availableParallelism()),
    remoteWindow: atLeastOne(env, "BATON_REMOTE_WINDOW", 1_000),
    prefetch: intFrom(env, "BATON_PREFETCH", 4) || 1,
    maxOutputBytes: intFrom(env, "BATON_MAX_OUTPUT_BYTES", 1024 * 1024),
    valueStoreUrl: valueStoreUrl(env.BATON_VALUE_STORE, home),
    valueStoreConn: env.BATON_VALUE_STORE_CONN || null,
    valueStoreThresholdBytes: byteSize(env.BATON_VALUE_STORE_THRESHOLD, "BATON_VALUE_STORE_THRESHOLD", 64 * 1024),
    dagFileTimeoutMs: intFrom(env, "BATON_DAG_FILE_TIMEOUT_MS", 30_000),
    dagFileMemoryMb: intFrom(env, "BATON_DAG_FILE_MEMORY_MB", 512),
    dagTypeCheck: onOff(env.BATON_DAG_TYPECHECK, "BATON_DAG_TYPECHECK"),
    shutdownGraceMs: intFrom(env, "BATON_SHUTDOWN_GRACE_MS", 30_000),
    pollMs: intFrom(env, "BATON_POLL_MS", 500) || 500,
    taskQueuedTimeoutMs: intFrom(env, "BATON_TASK_QUEUED_TIMEOUT_MS", 600_000),
    schedulerHeartbeatMs: intFrom(env, "BATON_SCHEDULER_HEARTBEAT_MS", 1_000) || 1_000,
    schedulerLeaseMs: intFrom(env, "BATON_SCHEDULER_LEASE_MS", 8_000) || 8_000,
    logLevel: env.BATON_LOG_LEVEL ?? "info",
    apiHost: env.BATON_API_HOST || "127.0.0.1",
    apiPort: intFrom(env, "BATON_API_PORT", 8080),
    metricsPort: metricsPort(env.BATON_METRICS_PORT),
    metricsHost: env.BATON_METRICS_HOST || env.BATON_API_HOST || "127.0.0.1",
    standaloneAuth: authMode(env.BATON_AUTH),
    cookieSecure: cookieSecure(env.BATON_COOKIE_SECURE),
    trustProxy: trustProxy(env.BATON_TRUST_PROXY),
    auditRetentionDays: intFrom(env, "BATON_AUDIT_RETENTION_DAYS", 365),
    runRetentionMs: runRetention(env.BATON_RUN_RETENTION),
    runRetentionIntervalMs: parseDuration(env.BATON_RUN_RETENTION_INTERVAL || "1h", "BATON_RUN_RETENTION_INTERVAL") || 3_600_000,
    secretKey: env.BATON_SECRET_KEY ? new Secret(env.BATON_SECRET_KEY) : null,
    secretKeyFile: join(home, "secret.key"),
    secretEnv: secretEnvOf(env),
  };
}

function valueStoreUrl(raw: string | undefined, home: string): string {
  if (raw === undefined || raw.trim() === "") return `file://${join(home, "values")}/`;
  const url = raw.trim();
  if (!/^(file|s3|az|azure|gs):\/\//i.test(url)) {
    throw new Error(`BATON_VALUE_STORE must be a URL: file:///absolute/folder, s3://bucket/prefix, az://container/prefix or gs://bucket/prefix, got "${raw}"`);
  }
  return url;
}

const BYTE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 };

/** `65536`, `64KiB`, `1 MiB` (KB and MB are 1024-based too); `off`: null. */
function byteSize(raw: string | undefined, key: string, fallback: number): number | null {
  if (raw === undefined || raw.trim() === "") return fallback;
  if (raw.trim().toLowerCase() === "off") return null;
  const m = /^(\d+)\s*([a-z]*)$/i.exec(raw.trim());
  const unit = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`${key} must be a size in bytes (e.g. 65536, 64KiB, 1MiB) or "off", got "${raw}"`);
  return Number(m[1]) * unit;
}

function runRetention(value: string | undefined): number | null {
  if (value === undefined || value === "" || value === "off" || value === "0") return null;
  return parseDuration(value, "BATON_RUN_RETENTION") || null;
}

function secretEnvOf(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && (k.startsWith("BATON_CONN_") || k.startsWith("BATON_VAR_"))) out[k] = v;
  }
  return out;
}

/**
 * Removes BATON_SECRET_KEY from this process's environment once it is in the config, so the
 * processes it starts (task runners, shell commands) do not inherit the key.
 */
export function withholdSecretKey(env: NodeJS.ProcessEnv = process.env): void {
  delete env.BATON_SECRET_KEY;
}

/** True when standard output is a terminal (for human-friendly CLI output). */
export function isInteractive(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.CI;
}

/**
 * Makes the resolved locations visible to user code (DAG files and tasks read BATON_HOME to
 * find their data), so `--home`/`--dags` mean the same as the environment variables.
 */
export function exportToEnvironment(config: BatonConfig, env: NodeJS.ProcessEnv = process.env): void {
  env.BATON_HOME = config.home;
  env.BATON_DAGS = config.dagsDir;
}

/** `on` (default: unset or empty), `off`; also 1/0, true/false, yes/no. */
function onOff(raw: string | undefined, key: string): boolean {
  const v = (raw ?? "").trim().toLowerCase();
  if (v === "" || v === "on" || v === "1" || v === "true" || v === "yes") return true;
  if (v === "off" || v === "0" || v === "false" || v === "no") return false;
  throw new Error(`${key} must be "on" or "off", got "${raw}"`);
}
