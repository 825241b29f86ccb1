import { watch, type FSWatcher } from "node:fs";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import type { ImportErrorRecord } from "../core/model/records.js";
import { silentLogger, type Logger } from "../core/ports/logger.js";
import type { Store } from "../core/ports/store.js";
import type { Metrics } from "../core/ports/metrics.js";
import type { WorkerStore } from "../core/ports/worker-store.js";
import { findDagFiles } from "./find-dag-files.js";
import { DagFileCache, StoreSnapshot, type CachedLoad } from "./dag-file-cache.js";
import { FileStats, stampOf } from "./dag-file-stamps.js";
import { CHILD_ENTRY } from "./loader-child.js";
import { DagFileLoader } from "./dag-file-loader.js";
import type { LoadResult } from "./load-result.js";
import { resolveDuplicateDags } from "./resolve-duplicate-dags.js";

export interface DagSyncOptions {
  dagsDir: string;
  bundleDir: string;
  /** Per-file load time limit. Default 30 s. */
  timeoutMs?: number;
  /** Heap limit of each loader process in MB. Default 512. */
  memoryMb?: number;
  /** Files loaded at the same time. Default min(4, CPUs). */
  concurrency?: number;
  /** Polling period of start(). Default 1 s. */
  intervalMs?: number;
  logger?: Logger;
  /** Told how long each file took to load and whether it had import errors (docs/metrics.md). */
  metrics?: Pick<Metrics, "dagFileParsed">;
  /**
   * Where compiled bundles are kept for workers on other machines (docs/adr/0008-remote-workers.md):
   * each new DAG version's bundle is saved, by the sha256 of its code, before the version itself.
   */
  bundles?: Pick<WorkerStore, "saveBundle">;
  /**
   * Where what each file loaded to is kept for the next process, which then loads only the files
   * changed since (see {@link DagFileCache}). Default `${bundleDir}/dag-files.json`; null: none.
   */
  cacheFile?: string | null;
}

export interface SyncResult {
  /** Files added, changed or deleted since the previous sync (all files on the first, those taken unchanged from an earlier process's cache included), and files written again because their DAGs were deleted from the store. */
  changedFiles: string[];
  /** DAG ids saved from those files. */
  dagIds: string[];
  /** Import errors of those files (including duplicate-id conflicts they are part of). */
  errors: ImportErrorRecord[];
}

/** What one pass found: the files it loads (each written to the store as soon as it is loaded) and the deleted files. */
interface Pass {
  loads: Promise<void>[];
  loadedFiles: string[];
  deletedFiles: string[];
}

/**
 * Keeps the store in step with the DAG folder: loads new and changed files in DAG-processor
 * children — changed meaning a new mtime or size of the file or of a local module its bundle
 * includes ({@link stampOf}); on its first pass it takes the files unchanged since an earlier
 * process loaded them from that process's cache instead ({@link DagFileCache}) — saves their DAG versions and import errors, and deactivates the DAGs
 * of deleted files. A file that stops loading keeps its DAGs active as last loaded (they go on
 * being scheduled), its import errors beside them, until it is fixed, deleted or the DAG is
 * deleted (`baton dags delete`). Writes only through the Store port.
 *
 * A slow file holds up no other: each file is written to the store as soon as it is loaded, and
 * while it loads, later passes go on loading the other files' changes (a file is loaded by one
 * pass at a time; a change made meanwhile is picked up by the next pass after it).
 */
export class DagSync {
  private readonly dagsDir: string;
  private readonly logger: Logger;
  private readonly loader: DagFileLoader;
  /** Last load of each file, keyed by absolute path; `stamp` covers the file and its bundle's inputs. */
  private readonly loaded = new Map<string, CachedLoad>();
  private readonly cache: DagFileCache | null;
  /** Loads not yet written to the cache. */
  private cacheDirty = false;
  private cacheWrites: Promise<unknown> = Promise.resolve();
  /** Files being loaded now. */
  private readonly loading = new Set<string>();
  /** What was last written to the store per file (and the DAG ids saved), to rewrite only what changed. */
  private readonly written = new Map<string, { signature: string; dagIds: string[] }>();
  /** Deleted files whose DAGs still have to be deactivated in the store. */
  private readonly deleted = new Set<string>();
  /**
   * DAG id → the file that defines it, kept stable when another file starts defining it too.
   * Settled at the end of each pass, so a pass's outcome does not depend on which file loaded first.
   */
  private owners = new Map<string, string>();
  private first = true;
  /** Scans (finding changes, starting loads) run one at a time; the loads they start overlap. */
  private scans: Promise<unknown> = Promise.resolve();
  /** Store writes run one at a time. */
  private writes: Promise<unknown> = Promise.resolve();
  private readonly passes = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private errorCount = 0;

  constructor(
    private readonly store: Store,
    private readonly opts: DagSyncOptions,
  ) {
    this.dagsDir = resolve(opts.dagsDir);
    this.logger = opts.logger ?? silentLogger;
    this.loader = new DagFileLoader({
      bundleDir: opts.bundleDir,
      timeoutMs: opts.timeoutMs,
      memoryMb: opts.memoryMb,
      concurrency: opts.concurrency,
      logger: this.logger,
    });
    const cacheFile = opts.cacheFile === undefined ? join(opts.bundleDir, "dag-files.json") : opts.cacheFile;
    this.cache = cacheFile === null ? null : new DagFileCache(cacheFile, CHILD_ENTRY);
  }

  /**
   * One pass over the DAG folder: resolves when the files it found changed are loaded and written.
   * Passes may overlap; files already being loaded by an earlier pass are left to it.
   */
  syncOnce(): Promise<SyncResult> {
    const scanned = this.scans.then(() => this.scan());
    this.scans = scanned.catch(() => undefined);
    const pass = scanned.then((p) => this.finish(p));
    const forget = () => void this.passes.delete(settled);
    const settled: Promise<void> = pass.then(forget, forget);
    this.passes.add(settled);
    return pass;
  }

  /** Import errors of the files as last loaded, duplicate-DAG conflicts included (for metrics). */
  get importErrors(): number {
    return this.errorCount;
  }

  /**
   * Syncs now, then every `intervalMs` and soon after file-system events, so that new DAG files
   * are picked up without a restart. `onChange` hears about syncs that changed something.
   */
  start(onChange?: (result: SyncResult) => void): void {
    if (this.timer) return;
    const tick = () => {
      if (this.debounce || !this.timer) return;
      this.debounce = setTimeout(() => {
        this.debounce = null;
        this.syncOnce().then(
          (r) => {
            if (r.changedFiles.length > 0) onChange?.(r);
          },
          (e: unknown) => this.logger.error({ err: e }, "DAG sync failed"),
        );
      }, 50);
    };
    this.timer = setInterval(tick, this.opts.intervalMs ?? 1_000);
    try {
      this.watcher = watch(this.dagsDir, { recursive: true }, tick);
      this.watcher.on("error", () => this.closeWatcher());
    } catch {
      this.watcher = null; // polling alone still works (e.g. the folder does not exist yet)
    }
    tick();
  }

  /** Stops polling and waits for the passes in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.timer = null;
    this.debounce = null;
    this.closeWatcher();
    while (this.passes.size > 0) await Promise.all([...this.passes]);
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  private async scan(): Promise<Pass> {
    const files = findDagFiles(this.dagsDir);
    const stats = new FileStats();
    const present = new Set<string>();
    for (const f of files) if ((await stats.of(f)) !== null) present.add(f);
    for (const f of this.loaded.keys()) {
      if (!present.has(f)) {
        this.loaded.delete(f);
        this.deleted.add(f);
      }
    }
    const adopted = this.first ? await this.firstLook(present, stats) : [];
    this.first = false;
    const changed = new Map<string, string>();
    for (const f of present) {
      if (this.loading.has(f)) continue;
      const last = this.loaded.get(f);
      const stamp = await stampOf(f, last?.result.inputs, stats);
      if (last?.stamp !== stamp) changed.set(f, stamp);
    }
    const restored = await this.forgetDeletedDags(new Set(changed.keys()));
    for (const f of changed.keys()) this.loading.add(f);
    const loads = [...changed].map(([f, stamp]) => this.loadFile(f, stamp, this.loaded.get(f)?.result.inputs, stats));
    return { loads, loadedFiles: [...adopted, ...changed.keys(), ...restored], deletedFiles: [...this.deleted] };
  }

  /**
   * `stamp` was taken before the load, over the inputs of the file's previous load; inputs new in
   * this load are stat'ed after it (an edit to one of them during the load may then go unseen
   * until the file or another of its inputs changes).
   */
  private async loadFile(file: string, stamp: string, lastInputs: readonly string[] | undefined, stats: FileStats): Promise<void> {
    try {
      const startedAt = performance.now();
      const result = await this.loader.load(file);
      this.opts.metrics?.dagFileParsed((performance.now() - startedAt) / 1000, result.errors.length === 0);
      const sameInputs = sameSet(result.inputs ?? [file], lastInputs ?? [file]);
      this.loaded.set(file, { stamp: sameInputs ? stamp : await stampOf(file, result.inputs, stats), result });
      this.cacheDirty = true;
    } finally {
      this.loading.delete(file);
    }
    await this.write(new Set([file]));
  }

  private async finish(pass: Pass): Promise<SyncResult> {
    await Promise.all(pass.loads);
    const all = await this.write(new Set(), { settleOwners: true });
    if (this.cacheDirty) await this.saveCache();
    const files = new Set(pass.loadedFiles);
    const out: SyncResult = { changedFiles: [...pass.loadedFiles, ...pass.deletedFiles], dagIds: [], errors: [] };
    for (const r of all) {
      if (!files.has(r.file)) continue;
      out.dagIds.push(...r.dags.map((d) => d.dagId));
      out.errors.push(...r.errors);
    }
    if (out.changedFiles.length > 0) {
      this.logger.info({ files: out.changedFiles.length, dags: out.dagIds.length, errors: out.errors.length }, "DAG files synced");
    }
    return out;
  }

  /** Writes what changed since the last write (and the `fresh` files whatever their content); one write at a time. */
  private write(fresh: ReadonlySet<string>, { settleOwners = false } = {}): Promise<LoadResult[]> {
    const run = this.writes.then(() => this.writeNow(fresh, settleOwners));
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async writeNow(fresh: ReadonlySet<string>, settleOwners: boolean): Promise<LoadResult[]> {
    const all = resolveDuplicateDags(
      [...this.loaded.values()].map((l) => l.result).sort((a, b) => a.file.localeCompare(b.file)),
      this.owners,
    );
    if (settleOwners) this.owners = new Map(all.flatMap((r) => r.dags.map((d) => [d.dagId, r.file] as const)));
    this.errorCount = all.reduce((n, r) => n + r.errors.length, 0);
    for (const r of all) {
      const signature = signatureOf(r);
      if (!fresh.has(r.file) && this.written.get(r.file)?.signature === signature) continue;
      for (const d of r.dags) {
        await this.saveBundle(d.bundlePath);
        await this.store.saveDagVersion(d);
      }
      // A file that does not load (import error, time limit, invalid DAG) keeps its DAGs as last
      // loaded, still scheduled, with the error beside them; only a file that loads without a DAG id drops it.
      if (!this.failedToLoad(r.file))
        await this.store.deactivateDags(
          r.file,
          r.dags.map((d) => d.dagId),
        );
      await this.store.replaceImportErrors(r.file, r.errors);
      this.written.set(r.file, { signature, dagIds: r.dags.map((d) => d.dagId) });
    }
    for (const f of [...this.deleted]) {
      await this.store.deactivateDags(f, []);
      await this.store.replaceImportErrors(f, []);
      this.written.delete(f);
      this.deleted.delete(f);
    }
    return all;
  }

  /** Whether the file's own load failed in part or whole (duplicate-id conflicts between files are not its load failing). */
  private failedToLoad(file: string): boolean {
    return (this.loaded.get(file)?.result.errors.length ?? 0) > 0;
  }

  /**
   * Files written before whose DAGs are no longer in the store (`baton dags delete`): written
   * again by this pass, so that a DAG its file still defines reappears, as in Airflow. `skip`:
   * files this pass loads anyway.
   */
  private async forgetDeletedDags(skip: ReadonlySet<string>): Promise<string[]> {
    const candidates = [...this.written].filter(([f, w]) => w.dagIds.length > 0 && !skip.has(f) && !this.loading.has(f));
    if (candidates.length === 0) return [];
    const stored = new Set((await this.store.listDags()).map((d) => d.dagId));
    const restored = candidates.filter(([, w]) => w.dagIds.some((id) => !stored.has(id))).map(([f]) => f);
    for (const f of restored) this.written.delete(f);
    return restored;
  }

  /**
   * Saves the bundle at `bundlePath` (named by the sha256 of its code) to `opts.bundles` each time
   * a version is written, a known one included: retention may have deleted the bundle of a version
   * no run used since, and a DAG file reverted to it needs it again (a second save only renews its time).
   */
  private async saveBundle(bundlePath: string): Promise<void> {
    if (!this.opts.bundles) return;
    let code: string;
    try {
      code = await readFile(bundlePath, "utf8");
    } catch (e) {
      this.logger.warn({ err: e, bundlePath }, "cannot read a DAG bundle to store it for remote workers");
      return;
    }
    await this.opts.bundles.saveBundle(createHash("sha256").update(code, "utf8").digest("hex"), code, Date.now());
  }

  /**
   * The first pass's look at the store. DAGs and import errors recorded for files of THIS folder
   * that no longer exist are to be forgotten; files of other folders are left alone: a command
   * pointed at another folder (say `baton dags list` with the default ./dags while standalone
   * runs examples/dags) must not switch off DAGs it does not own. And the files unchanged since
   * an earlier process loaded them, whose DAGs the store still holds as then, are taken from the
   * cache as if loaded (returned), their store rows left as they are.
   */
  private async firstLook(present: ReadonlySet<string>, stats: FileStats): Promise<string[]> {
    const inFolder = (file: string) => file.startsWith(this.dagsDir + sep);
    const dags = await this.store.listDags();
    const errors = await this.store.listImportErrors();
    for (const d of dags) {
      if (d.active && inFolder(d.fileloc) && !present.has(d.fileloc)) this.deleted.add(d.fileloc);
      if (d.active && present.has(d.fileloc)) this.owners.set(d.dagId, d.fileloc);
    }
    for (const e of errors) {
      if (inFolder(e.file) && !present.has(e.file)) this.deleted.add(e.file);
    }
    const cached = this.cache?.read() ?? new Map<string, CachedLoad>();
    const snapshot = new StoreSnapshot(dags, errors);
    const adopted: string[] = [];
    for (const f of present) {
      const c = cached.get(f);
      if (!c || c.result.file !== f || !snapshot.matches(c.result)) continue;
      if ((await stampOf(f, c.result.inputs, stats)) !== c.stamp) continue;
      this.loaded.set(f, c);
      this.written.set(f, { signature: signatureOf(c.result), dagIds: c.result.dags.map((d) => d.dagId) });
      adopted.push(f);
    }
    return adopted;
  }

  /** Writes the loads to the cache file, one write at a time; a failure is logged, never the pass's. */
  private saveCache(): Promise<void> {
    const cache = this.cache;
    if (!cache) return Promise.resolve();
    this.cacheDirty = false;
    const entries = [...this.loaded];
    const inFolder = (file: string) => file.startsWith(this.dagsDir + sep);
    const run = this.cacheWrites
      .then(() => cache.write(entries, inFolder))
      .catch((e: unknown) => this.logger.warn({ err: e }, "cannot write the DAG file cache"));
    this.cacheWrites = run;
    return run;
  }
}

/** What a file's result wrote to the store, to compare with the next. */
function signatureOf(r: LoadResult): string {
  return JSON.stringify([r.dags.map((d) => d.versionHash), r.errors.map((e) => [e.message, e.line, e.column])]);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}
