import { LRUCache } from "lru-cache";
import { buildGraph, type DagGraph } from "../core/graph/dag-graph.js";
import type { DagRecord, DagVersionRecord } from "../core/model/records.js";
import type { Store } from "../core/ports/store.js";

export interface LoadedVersion {
  version: DagVersionRecord;
  graph: DagGraph;
}

/** Versions kept parsed (spec + graph) at most; a run holds its own version while it is active. */
export const DEFAULT_MAX_CACHED_VERSIONS = 256;

/** What the scheduler needs of a DAG's latest version at every dispatch. */
interface LatestLimits {
  versionHash: string;
  maxActiveTasks: number;
}

/**
 * The DAG versions the scheduler reads, parsed once: a least-recently-used cache of at most
 * `max` versions (old versions of long-lived DAGs fall out), beside a small map of each known
 * DAG's latest version's limits, refreshed with the catalog, which eviction never touches.
 */
export class DagVersions {
  readonly #store: Pick<Store, "getDagVersion">;
  readonly #cache: LRUCache<string, LoadedVersion>;
  #latest = new Map<string, LatestLimits>();

  constructor(store: Pick<Store, "getDagVersion">, max = DEFAULT_MAX_CACHED_VERSIONS) {
    this.#store = store;
    this.#cache = new LRUCache({ max });
  }

  /** The version with `hash`, parsed; undefined when the store has no such version. */
  async get(hash: string): Promise<LoadedVersion | undefined> {
    const cached = this.#cache.get(hash);
    if (cached) return cached;
    const version = await this.#store.getDagVersion(hash);
    if (!version) return undefined;
    const loaded = { version, graph: buildGraph(version.spec) };
    this.#cache.set(hash, loaded);
    return loaded;
  }

  /** Records the limits of each DAG's latest version (loading only versions not seen before); forgets DAGs gone from `dags`. */
  async refreshLatest(dags: ReadonlyMap<string, DagRecord>): Promise<void> {
    const next = new Map<string, LatestLimits>();
    for (const dag of dags.values()) {
      const known = this.#latest.get(dag.dagId);
      if (known?.versionHash === dag.latestVersion) {
        next.set(dag.dagId, known);
        continue;
      }
      const v = await this.get(dag.latestVersion);
      if (v) next.set(dag.dagId, { versionHash: dag.latestVersion, maxActiveTasks: v.version.spec.maxActiveTasks });
    }
    this.#latest = next;
  }

  /** The DAG's latest version's maxActiveTasks, 16 for a DAG not (yet) in the catalog. */
  maxActiveTasks(dagId: string): number {
    return this.#latest.get(dagId)?.maxActiveTasks ?? 16;
  }

  /** How many parsed versions are held now (at most the bound). */
  get cachedCount(): number {
    return this.#cache.size;
  }
}
