import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { RetentionStore } from "../core/ports/retention-store.js";

/**
 * Bundles saved, loaded or written within this long are kept whether used or not: the DAG sync
 * writes a bundle (file, then `dag_bundles` row) before the version that points at it.
 */
export const BUNDLE_GRACE_MS = 60 * 60_000;

export interface PurgedBundleTotals {
  /** `dag_bundles` rows deleted. */
  bundles: number;
  /** `<bundleDir>/<sha256>.mjs` files deleted. */
  bundleFiles: number;
}

/**
 * Deletes the DAG bundles nothing uses any more — no DAG's current version, no remaining run's
 * version — and unchanged for {@link BUNDLE_GRACE_MS}: their `dag_bundles` rows
 * (`store.retention.purgeBundles`) and their files `<bundleDir>/<sha256>.mjs` (by modification
 * time: the loader renews it each time it loads a file to that bundle). Other files are left alone.
 */
export async function purgeUnusedBundles(retention: Pick<RetentionStore, "purgeBundles">, bundleDir: string, now: number): Promise<PurgedBundleTotals> {
  const savedBefore = now - BUNDLE_GRACE_MS;
  const { deleted, inUse } = await retention.purgeBundles(savedBefore);
  const used = new Set(inUse);
  let names: string[];
  try {
    names = readdirSync(bundleDir);
  } catch {
    names = []; // no bundle folder (yet)
  }
  let bundleFiles = 0;
  for (const name of names) {
    const hash = /^([0-9a-f]{64})\.mjs$/.exec(name)?.[1];
    if (hash === undefined || used.has(hash)) continue;
    const path = join(bundleDir, name);
    try {
      if (statSync(path).mtimeMs >= savedBefore) continue;
      rmSync(path);
      bundleFiles += 1;
    } catch {
      /* gone meanwhile */
    }
  }
  return { bundles: deleted, bundleFiles };
}
