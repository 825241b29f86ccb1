import { close, fdatasync, fsync, open } from "node:fs";
import { dirname } from "node:path";

/** Flushes a file's written data to the disk (fdatasync), off the event loop. */
export type DataSync = (fd: number) => Promise<void>;

const fdatasyncOffLoop: DataSync = (fd) => new Promise((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
const openRead = (path: string) => new Promise<number>((resolve, reject) => open(path, "r", (e, fd) => (e ? reject(e) : resolve(fd))));
const fsyncOnce = (fd: number) => new Promise<void>((resolve, reject) => fsync(fd, (e) => (e ? reject(e) : resolve())));
const closeFd = (fd: number) => new Promise<void>((resolve) => close(fd, () => resolve()));

/** Syncs under way in this process, and who waits for there to be none ({@link walSyncsIdle}). */
let running = 0;
const idleWaiters: (() => void)[] = [];

/**
 * Resolves once no WAL sync is under way in this process (at once when none is). For tests that
 * drive time by hand: they wait for turns of the event loop, and a commit now also waits for the
 * disk, on the thread pool (test/support/manual-time.ts).
 */
export function walSyncsIdle(): Promise<void> | null {
  if (running === 0) return null;
  return new Promise((resolve) => idleWaiters.push(resolve));
}

/**
 * Makes commits durable without stopping the event loop. With `synchronous=FULL` SQLite syncs
 * the WAL inside every COMMIT, and better-sqlite3 runs that call on the event loop: each commit
 * stops the scheduler for a disk flush (0.5–3 ms on a shared virtual disk). The store runs
 * `synchronous=NORMAL` instead — exactly FULL without that one sync of the WAL after each commit
 * (SQLite's docs, PRAGMA synchronous) — and does that sync itself, here: an `fdatasync` of the
 * WAL file on libuv's thread pool. A write is acknowledged (its statement's promise resolves)
 * only once a sync that began after it has finished, so an acknowledged commit survives power
 * loss as under FULL; meanwhile the event loop goes on. Concurrent requests share syncs: one runs
 * at a time, and everything asked for while it runs waits for the next one.
 *
 * The WAL file keeps its inode while any connection has the database open (SQLite deletes it
 * when the last one closes; a checkpoint rewrites it in place), so one descriptor, opened on the
 * first sync, serves the store's life. Its directory is synced once then: the WAL's directory
 * entry is durable before any commit that relies on it is acknowledged. Other processes reading
 * the file may see a commit a few milliseconds before it is durable, never a torn one.
 */
export class WalSync {
  readonly #walPath: string;
  readonly #datasync: DataSync;
  #fd: Promise<number> | null = null;
  #running: Promise<void> | null = null;
  #next: Promise<void> | null = null;
  #syncs = 0;

  constructor(databasePath: string, datasync: DataSync = fdatasyncOffLoop) {
    this.#walPath = `${databasePath}-wal`;
    this.#datasync = datasync;
  }

  /** How many syncs of the WAL have completed (tests, diagnostics). */
  get syncs(): number {
    return this.#syncs;
  }

  /** Resolves once everything written to the WAL before this call is on the disk. */
  sync(): Promise<void> {
    if (this.#running === null) return (this.#running = this.#start());
    // The running sync may have begun before the caller's write: wait for the next one.
    this.#next ??= this.#running
      .catch(() => {})
      .then(() => {
        this.#next = null;
        return (this.#running ??= this.#start());
      });
    return this.#next;
  }

  #start(): Promise<void> {
    const run: Promise<void> = this.#syncWal().finally(() => {
      if (this.#running === run) this.#running = null;
    });
    return run;
  }

  async #syncWal(): Promise<void> {
    running++;
    try {
      const fd = await (this.#fd ??= this.#open());
      await this.#datasync(fd);
      this.#syncs++;
    } finally {
      if (--running === 0) for (const w of idleWaiters.splice(0)) w();
    }
  }

  async #open(): Promise<number> {
    try {
      const fd = await openRead(this.#walPath);
      const dir = await openRead(dirname(this.#walPath));
      try {
        await fsyncOnce(dir);
      } finally {
        await closeFd(dir);
      }
      return fd;
    } catch (e) {
      this.#fd = null; // Try again with the next commit (that commit fails meanwhile).
      throw e;
    }
  }

  /** Waits for the syncs under way and lets the descriptor go (the store is closing). */
  async close(): Promise<void> {
    await this.#next?.catch(() => {});
    await this.#running?.catch(() => {});
    const fd = await this.#fd?.catch(() => null);
    this.#fd = null;
    if (fd !== null && fd !== undefined) await closeFd(fd);
  }
}
