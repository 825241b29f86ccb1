import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { DagRecord, ImportErrorRecord } from "../core/model/records.js";
import type { LoadResult } from "./load-result.js";

/** One file's last load, as a later process may reuse it. */
export interface CachedLoad {
  /** {@link stampOf} the file and its bundle's inputs when it was loaded. */
  stamp: string;
  result: LoadResult;
}

interface CacheDocument {
  version: 1;
  /** The loader's own build (mtime of its compiled entry): a new Baton build reloads every file. */
  loader: string;
  files: Record<string, CachedLoad>;
}

/**
 * What the DAG files last loaded to, kept in a JSON file (`$BATON_HOME/bundles/dag-files.json`)
 * so that the next process (`baton dags list`, a restarted standalone) loads only the files that
 * changed since. It is a hint, never the truth: an entry is used only when the file and its
 * inputs have the same stamps AND the store still holds exactly those DAG versions for the file
 * with their bundles on disk ({@link StoreSnapshot.matches}); anything else is loaded again. Files that
 * had import errors are not kept (they are loaded again by every process).
 */
export class DagFileCache {
  private readonly loader: string;

  constructor(
    private readonly path: string,
    loaderEntry: string,
  ) {
    this.loader = stampOfLoader(loaderEntry);
  }

  /** The entries recorded by the same loader build; none when the file is missing or unreadable. */
  read(): Map<string, CachedLoad> {
    try {
      const doc = JSON.parse(readFileSync(this.path, "utf8")) as Partial<CacheDocument>;
      if (doc.version !== 1 || doc.loader !== this.loader || typeof doc.files !== "object" || doc.files === null) return new Map();
      return new Map(Object.entries(doc.files));
    } catch {
      return new Map();
    }
  }

  /**
   * Replaces the entries of files for which `owns` is true by `entries` (those without import
   * errors), keeping the others' (another DAG folder's). Written atomically; two processes
   * writing at once leave one's whole document.
   */
  async write(entries: Iterable<[string, CachedLoad]>, owns: (file: string) => boolean): Promise<void> {
    const files: Record<string, CachedLoad> = {};
    for (const [f, c] of this.read()) if (!owns(f)) files[f] = c;
    for (const [f, c] of entries) if (c.result.errors.length === 0) files[f] = c;
    const doc: CacheDocument = { version: 1, loader: this.loader, files };
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(doc));
    await rename(tmp, this.path);
  }
}

/** What the store holds of the DAG files, read once by the first pass to check cached loads against. */
export class StoreSnapshot {
  private readonly byId = new Map<string, DagRecord>();
  private readonly activeByFile = new Map<string, string[]>();
  private readonly errorFiles: Set<string>;

  constructor(dags: readonly DagRecord[], errors: readonly ImportErrorRecord[]) {
    for (const d of dags) {
      this.byId.set(d.dagId, d);
      if (d.active) this.activeByFile.set(d.fileloc, [...(this.activeByFile.get(d.fileloc) ?? []), d.dagId]);
    }
    this.errorFiles = new Set(errors.map((e) => e.file));
  }

  /**
   * True when the store holds what writing `result` for its file would leave: each of its DAGs
   * with that file and that latest version, its bundle on disk, no other active DAG of the file,
   * and no import error for it.
   */
  matches(result: LoadResult): boolean {
    if (result.errors.length > 0 || this.errorFiles.has(result.file)) return false;
    const ids = new Set(result.dags.map((d) => d.dagId));
    for (const d of result.dags) {
      const stored = this.byId.get(d.dagId);
      if (!stored?.active || stored.fileloc !== result.file || stored.latestVersion !== d.versionHash || !existsSync(d.bundlePath)) return false;
    }
    return (this.activeByFile.get(result.file) ?? []).every((id) => ids.has(id));
  }
}

function stampOfLoader(entry: string): string {
  try {
    const s = statSync(entry);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return "missing";
  }
}
