import pg from "pg";
import { systemClock, type Clock } from "../../core/ports/clock.js";
import { silentLogger, type Logger } from "../../core/ports/logger.js";
import { InProcessRemoteSignal, type RemoteSignal } from "../../core/ports/remote-signal.js";
import { redactUrl } from "./pg-pool.js";

/** The channel every Baton process LISTENs on; the payload is the signal's target. */
export const REMOTE_SIGNAL_CHANNEL = "baton_remote";
/** `application_name` of the LISTEN connection, as `pg_stat_activity` shows it. */
export const REMOTE_SIGNAL_APPLICATION = "baton-remote-signal";

export interface PgRemoteSignalOptions {
  clock?: Clock;
  logger?: Logger;
  /** First wait before reconnecting after the LISTEN connection broke; doubles up to `maxBackoffMs`. Default 100 ms. */
  minBackoffMs?: number;
  /** Default 5,000 ms. */
  maxBackoffMs?: number;
}

/**
 * {@link RemoteSignal} over PostgreSQL LISTEN/NOTIFY (docs/adr/0008-remote-workers.md): one
 * dedicated connection LISTENs on `baton_remote` and sends the NOTIFYs. Subscribers in this
 * process hear a signal at once (its echo from the server is ignored); other processes hear it
 * through the server. The connection is re-opened with backoff when it breaks, and then every
 * subscriber is called once, since signals sent meanwhile were lost.
 *
 * @example
 * const signal = await PgRemoteSignal.open("postgres://baton@db:5432/baton");
 * const off = signal.subscribe("hub", () => void hub.poll());
 * signal.notify("hub"); // every process's "hub" subscribers run
 */
export class PgRemoteSignal implements RemoteSignal {
  readonly crossProcess = true;
  readonly #url: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #local = new InProcessRemoteSignal();
  readonly #targets = new Set<string>();
  /** Targets whose NOTIFY is being sent: a burst for one target is one NOTIFY. */
  readonly #sending = new Set<string>();
  #client: pg.Client | null = null;
  #backoffMs: number;
  #cancelRetry: (() => void) | null = null;
  #closed = false;

  private constructor(url: string, options: PgRemoteSignalOptions) {
    this.#url = url;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#minBackoffMs = options.minBackoffMs ?? 100;
    this.#maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.#backoffMs = this.#minBackoffMs;
  }

  /** Connects and LISTENs; throws when the first connection fails (later breaks are retried). */
  static async open(url: string, options: PgRemoteSignalOptions = {}): Promise<PgRemoteSignal> {
    const signal = new PgRemoteSignal(url, options);
    await signal.#connect();
    return signal;
  }

  notify(target: string): void {
    this.#local.notify(target);
    const client = this.#client;
    if (client === null || this.#sending.has(target)) return;
    this.#sending.add(target);
    client
      .query("select pg_notify($1, $2)", [REMOTE_SIGNAL_CHANNEL, target])
      .catch((e: unknown) => this.#logger.debug({ err: e, target }, "remote signal not sent (the other end polls)"))
      .finally(() => this.#sending.delete(target));
  }

  subscribe(target: string, fn: () => void): () => void {
    this.#targets.add(target);
    return this.#local.subscribe(target, fn);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#cancelRetry?.();
    this.#cancelRetry = null;
    const client = this.#client;
    this.#client = null;
    await this.#local.close();
    await client?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#url,
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      application_name: REMOTE_SIGNAL_APPLICATION,
    });
    client.on("error", (e) => this.#broken(client, e));
    client.on("end", () => this.#broken(client, new Error("connection ended")));
    let ownPid: number | null = null;
    client.on("notification", (msg) => {
      // Our own NOTIFY comes back to us: its subscribers already ran.
      if (msg.channel !== REMOTE_SIGNAL_CHANNEL || msg.processId === ownPid) return;
      if (msg.payload !== undefined) this.#local.notify(msg.payload);
    });
    try {
      await client.connect();
      ownPid = (await client.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]!.pid;
      await client.query(`listen ${REMOTE_SIGNAL_CHANNEL}`);
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#backoffMs = this.#minBackoffMs;
  }

  #broken(client: pg.Client, e: unknown): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = null;
    client.end().catch(() => {});
    this.#logger.warn({ err: e, url: redactUrl(this.#url) }, "remote signal connection lost; reconnecting");
    this.#retry();
  }

  #retry(): void {
    const wait = this.#backoffMs;
    this.#backoffMs = Math.min(this.#maxBackoffMs, this.#backoffMs * 2);
    this.#cancelRetry = this.#clock.setTimer(wait, () => {
      this.#cancelRetry = null;
      if (this.#closed) return;
      this.#connect().then(
        () => {
          if (this.#closed || this.#client === null) return;
          this.#logger.info({ url: redactUrl(this.#url) }, "remote signal connection restored");
          // Signals sent while we were away are lost: wake every subscriber once.
          for (const target of this.#targets) this.#local.notify(target);
        },
        (err: unknown) => {
          this.#logger.debug({ err, url: redactUrl(this.#url) }, "remote signal reconnect failed");
          this.#retry();
        },
      );
    });
  }
}
