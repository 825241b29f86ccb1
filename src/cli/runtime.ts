import { mkdirSync } from "node:fs";
import pino from "pino";
import { loadConfig, type BatonConfig, type ConfigOverrides } from "../config/config.js";
import type { Logger } from "../core/ports/logger.js";
import { silentLogger } from "../core/ports/logger.js";
import type { RemoteSignal } from "../core/ports/remote-signal.js";
import { DagSync } from "../dag-processor/dag-sync.js";
import { openStore, type FullStore } from "../store/index.js";
import { openRemoteSignal } from "../store/open-remote-signal.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import { SecretCipher } from "../secrets/secret-cipher.js";
import { loadSecretKey } from "../secrets/secret-key.js";
import { SecretVault } from "../secrets/secret-vault.js";
import { EnvThenStoreSecretsResolver } from "../secrets/secrets-resolver.js";
import { CipherOutputSealer } from "../secrets/output-sealer.js";

/** Options every command accepts. */
export interface CommonOptions extends ConfigOverrides {
  json?: boolean;
}

/**
 * The composition root's shared part: configuration, the store, and the DAG folder sync.
 * Only src/cli builds these; everything else receives them.
 */
export interface Runtime {
  config: BatonConfig;
  store: FullStore;
  logger: Logger;
  /**
   * This process's RemoteSignal (docs/adr/0008), opened on first use and closed with the runtime:
   * in `baton standalone` the scheduler's remote executor and the API server's worker hub share it.
   */
  remoteSignal(): Promise<RemoteSignal>;
  close(): Promise<void>;
}

export function makeLogger(config: BatonConfig, quiet: boolean): Logger {
  if (quiet) return silentLogger;
  return pino({ level: config.logLevel, base: undefined }, pino.destination(2)) as unknown as Logger;
}

export async function openRuntime(opts: CommonOptions, { quiet = true } = {}): Promise<Runtime> {
  const config = loadConfig(opts);
  mkdirSync(config.home, { recursive: true });
  const store = await openStore(config.databaseUrl);
  const logger = makeLogger(config, quiet);
  let signal: Promise<RemoteSignal> | undefined;
  return {
    config,
    store,
    logger,
    // PostgreSQL: LISTEN/NOTIFY across processes; SQLite: within this process (the others poll).
    remoteSignal: () => (signal ??= openRemoteSignal(config.databaseUrl, { logger })),
    close: async () => {
      await (await signal?.catch(() => undefined))?.close();
      await store.close();
    },
  };
}

/** Loads new and changed DAG files into the store (used by commands that read DAGs). */
export async function syncDags(rt: Runtime): Promise<void> {
  const sync = new DagSync(rt.store, {
    dagsDir: rt.config.dagsDir,
    bundleDir: rt.config.bundleDir,
    timeoutMs: rt.config.dagFileTimeoutMs,
    memoryMb: rt.config.dagFileMemoryMb,
    logger: rt.logger,
    bundles: rt.store.workers,
  });
  await sync.syncOnce();
}

/** Runs a command body with a runtime, closing it afterwards. */
export async function withRuntime<T>(opts: CommonOptions, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await openRuntime(opts);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/** Connections and variables in `store`, with the key from BATON_SECRET_KEY or `$BATON_HOME/secret.key`. */
export function openSecretVault(config: BatonConfig, store: FullStore): SecretVault {
  mkdirSync(config.home, { recursive: true });
  return new SecretVault(store, new SecretCipher(loadSecretKey({ secretKey: config.secretKey, keyFile: config.secretKeyFile })));
}

/**
 * Seals sensitive tasks' return values with the connections' key (BATON_SECRET_KEY or
 * `$BATON_HOME/secret.key`), loaded on the first sensitive value.
 */
export function openOutputSealer(config: BatonConfig): CipherOutputSealer {
  return new CipherOutputSealer(() => {
    mkdirSync(config.home, { recursive: true });
    return new SecretCipher(loadSecretKey({ secretKey: config.secretKey, keyFile: config.secretKeyFile }));
  });
}

/**
 * What tasks use for `ctx.connection()`/`ctx.variable()`: the environment, then the store. The
 * key (and, without `store`, the database) is opened on the first lookup the environment does
 * not answer, so `dags test` needs neither when everything comes from BATON_CONN_ and BATON_VAR_ variables.
 */
export function openSecretsResolver(config: BatonConfig, store?: FullStore): { resolver: SecretsResolver; close(): Promise<void> } {
  let owned: FullStore | undefined;
  let vault: Promise<SecretVault> | undefined;
  const open = () =>
    (vault ??= (async () => {
      const s = store ?? (owned = await openStore(config.databaseUrl));
      return openSecretVault(config, s);
    })());
  return {
    resolver: new EnvThenStoreSecretsResolver(config.secretEnv, open),
    close: async () => {
      await owned?.close();
    },
  };
}
