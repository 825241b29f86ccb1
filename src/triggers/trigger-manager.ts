import type { Connection } from "../core/model/connection.js";
import type { DagSpec } from "../core/model/dag-spec.js";
import type { EventTriggerSpec, FileTriggerSpec, MessageTriggerSpec } from "../core/model/event-trigger-spec.js";
import type { Clock } from "../core/ports/clock.js";
import type { Logger } from "../core/ports/logger.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import type { Store } from "../core/ports/store.js";
import { parseConnectionUri } from "../core/secrets/connection-uri.js";
import { EventRunWriter } from "./event-run-writer.js";
import { locationScheme, type FileLister } from "./files/file-lister.js";
import { FileTriggerLoop } from "./files/file-trigger-loop.js";
import { LocalFolderLister } from "./files/local-folder-lister.js";
import { BUCKET_SCHEMES, ObjectStoreLister } from "./files/object-store-lister.js";
import type { OpenMessageSource } from "./messages/message-source.js";
import { MessageTriggerLoop } from "./messages/message-trigger-loop.js";
import { openMessageSource } from "./messages/open-message-source.js";
import type { TriggerLoop } from "./trigger-loop.js";

export interface TriggerManagerDeps {
  store: Store;
  /** Resolves the connection ids triggers name (URIs are parsed as is). */
  secrets: SecretsResolver;
  clock: Clock;
  logger: Logger;
  /** Called after runs were created (the scheduler's wake). */
  wake: () => void;
  /** File listers by URL scheme; local folders ("file") and buckets ("s3", "gs", "az") are built in. */
  listers?: Record<string, FileLister>;
  /** Opens broker subscriptions; the real clients by default. */
  openSource?: OpenMessageSource;
  /** How often the DAGs' triggers are re-read from the store, ms. Default 2000. */
  pollMs?: number;
}

interface Running {
  signature: string;
  loop: TriggerLoop;
}

/**
 * Runs the event triggers of active, unpaused DAGs (their latest versions): a loop per trigger,
 * started, restarted when the trigger changes, and stopped when the DAG is paused, removed or
 * stops declaring it. See docs/event-triggers.md.
 */
export class TriggerManager {
  readonly #running = new Map<string, Running>();
  readonly #specs = new Map<string, EventTriggerSpec[]>();
  readonly #writer: EventRunWriter;
  readonly #listers: Record<string, FileLister>;
  #cancel: (() => void) | null = null;
  #syncing: Promise<void> | null = null;
  #stopped = false;

  constructor(private readonly deps: TriggerManagerDeps) {
    this.#writer = new EventRunWriter({ store: deps.store, clock: deps.clock, wake: deps.wake });
    const buckets = new ObjectStoreLister();
    this.#listers = { file: new LocalFolderLister(), ...Object.fromEntries(BUCKET_SCHEMES.map((s) => [s, buckets])), ...deps.listers };
  }

  /** Starts the triggers of the DAGs in the store, then follows their changes. */
  async start(): Promise<void> {
    await this.sync();
    this.#schedule();
  }

  /** The triggers running now, as "dagId/triggerId". */
  get running(): string[] {
    return [...this.#running.keys()].sort();
  }

  /** Reconciles the running loops with the DAGs' latest specs. */
  async sync(): Promise<void> {
    this.#syncing ??= this.#sync().finally(() => (this.#syncing = null));
    return this.#syncing;
  }

  /** Stops every trigger: what was received but has no run yet stays unacknowledged. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancel?.();
    await this.#syncing?.catch(() => {});
    await Promise.all([...this.#running.values()].map((r) => r.loop.stop()));
    this.#running.clear();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#cancel = this.deps.clock.setTimer(this.deps.pollMs ?? 2_000, () => {
      void this.sync()
        .catch((e: unknown) => this.deps.logger.warn({ err: e instanceof Error ? e.message : String(e) }, "event triggers: cannot read DAGs"))
        .finally(() => this.#schedule());
    });
  }

  async #sync(): Promise<void> {
    const wanted = new Map<string, { dagId: string; spec: EventTriggerSpec }>();
    for (const dag of await this.deps.store.listDags()) {
      if (!dag.active || dag.paused) continue;
      for (const spec of await this.#triggersOf(dag.latestVersion)) wanted.set(`${dag.dagId}/${spec.id}`, { dagId: dag.dagId, spec });
    }
    if (this.#stopped) return;
    const stops: Promise<void>[] = [];
    for (const [key, r] of this.#running) {
      const w = wanted.get(key);
      if (w !== undefined && JSON.stringify(w.spec) === r.signature) continue;
      this.#running.delete(key);
      this.deps.logger.info({ trigger: key }, "event trigger stopped");
      stops.push(r.loop.stop());
    }
    await Promise.all(stops);
    for (const [key, { dagId, spec }] of wanted) {
      if (this.#running.has(key) || this.#stopped) continue;
      const loop = spec.kind === "files" ? this.#fileLoop(dagId, spec) : this.#messageLoop(dagId, spec);
      if (loop === null) continue;
      this.#running.set(key, { signature: JSON.stringify(spec), loop });
      loop.start();
      this.deps.logger.info({ trigger: key, kind: spec.kind }, "event trigger started");
    }
  }

  async #triggersOf(versionHash: string): Promise<EventTriggerSpec[]> {
    let specs = this.#specs.get(versionHash);
    if (specs === undefined) {
      const version = await this.deps.store.getDagVersion(versionHash);
      specs = (version?.spec as DagSpec | undefined)?.triggers ?? [];
      this.#specs.set(versionHash, specs);
    }
    return specs;
  }

  #fileLoop(dagId: string, spec: FileTriggerSpec): TriggerLoop | null {
    const scheme = locationScheme(spec.location);
    const lister = this.#listers[scheme];
    if (lister === undefined) {
      this.deps.logger.error(
        { dagId, trigger: spec.id, location: spec.location, available: Object.keys(this.#listers) },
        `event trigger: no file lister for "${scheme}://" locations in this Baton (see docs/event-triggers.md#buckets)`,
      );
      return null;
    }
    const connection = async () => (spec.conn === null ? null : this.#connection(spec.conn));
    return new FileTriggerLoop({ dagId, spec, lister, connection, writer: this.#writer, logger: this.deps.logger });
  }

  #messageLoop(dagId: string, spec: MessageTriggerSpec): TriggerLoop {
    return new MessageTriggerLoop({
      dagId,
      spec,
      connection: () => this.#connection(spec.conn),
      open: this.deps.openSource ?? openMessageSource,
      writer: this.#writer,
      logger: this.deps.logger,
    });
  }

  async #connection(conn: string): Promise<Connection> {
    return conn.includes("://") ? parseConnectionUri("(uri)", conn) : this.deps.secrets.connection(conn);
  }
}
