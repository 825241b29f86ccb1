import type { Clock } from "../core/ports/clock.js";
import type { Logger } from "../core/ports/logger.js";
import type { RetentionStore } from "../core/ports/retention-store.js";
import type { ValueStore } from "../core/ports/value-store.js";
import { purgeUnusedBundles, type PurgedBundleTotals } from "./bundle-purge.js";
import { purgeRuns, type PurgeTotals } from "./run-purge.js";

export interface RunRetentionOptions {
  /** BATON_RUN_RETENTION: finished runs that ended longer ago than this are deleted. */
  olderThanMs: number;
  /** BATON_RUN_RETENTION_INTERVAL: how often (the first pass is one interval after start). */
  intervalMs: number;
  logsDir: string;
  /** Where DAG bundle files are: the unused ones are deleted after the runs (docs/storage.md). */
  bundleDir: string;
  /** BATON_VALUE_STORE: the deleted runs' offloaded return values go too. */
  values?: ValueStore | null;
}

/**
 * The configured retention (docs/storage.md): what `baton db clean --older-than` does, in the
 * scheduler process, every interval on the Clock (tests jump it). Batches pause as long as they
 * took, on the Clock too, so the scheduler's own commits get the database in between. A failed
 * pass is logged and tried again at the next interval. Several schedulers may run it at once:
 * each batch locks the runs it deletes and re-checks them, so they only share the work.
 */
export class RunRetention {
  #cancel: (() => void) | null = null;
  #stopped = false;
  #pass: Promise<unknown> = Promise.resolve();
  #endPause: (() => void) | null = null;

  constructor(
    private readonly retention: Pick<RetentionStore, "purgeFinishedRuns" | "purgeBundles">,
    private readonly clock: Clock,
    private readonly logger: Logger,
    readonly options: RunRetentionOptions,
  ) {}

  start(): void {
    this.#schedule();
  }

  /** Stops the timer; a pass under way ends after its current batch. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = null;
    this.#endPause?.();
    await this.#pass;
  }

  /** One pass now: deletes every finished run past the retention, then the bundles nothing uses any more. */
  async purgeNow(): Promise<PurgeTotals & PurgedBundleTotals> {
    const endedBefore = this.clock.now() - this.options.olderThanMs;
    const started = this.clock.now();
    const totals = await purgeRuns(
      this.retention,
      this.options.logsDir,
      { endedBefore },
      {
        pause: (ms) =>
          new Promise<void>((resolve) => {
            const cancel = this.clock.setTimer(ms, resolve);
            this.#endPause = () => {
              cancel();
              resolve();
            };
          }),
        stopped: () => this.#stopped,
        values: this.options.values ?? null,
      },
    );
    if (totals.runs > 0) {
      this.logger.info({ ...totals, endedBefore: new Date(endedBefore).toISOString(), ms: this.clock.now() - started }, "run retention: deleted finished runs");
    }
    if (this.#stopped) return { ...totals, bundles: 0, bundleFiles: 0 };
    const bundles = await purgeUnusedBundles(this.retention, this.options.bundleDir, this.clock.now());
    if (bundles.bundles + bundles.bundleFiles > 0) this.logger.info(bundles, "run retention: deleted unused DAG bundles");
    return { ...totals, ...bundles };
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#cancel = this.clock.setTimer(this.options.intervalMs, () => {
      this.#cancel = null;
      this.#pass = this.purgeNow()
        .catch((err: unknown) => this.logger.error({ err }, "run retention failed; trying again at the next interval"))
        .finally(() => this.#schedule());
    });
  }
}
