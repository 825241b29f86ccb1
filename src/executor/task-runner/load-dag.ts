import { pathToFileURL } from "node:url";
import { BatonError } from "../../core/errors.js";
import { isDagDefinition, type DagDefinition } from "../../sdk/definition.js";

/** Why an attempt could not find its DAG; `retryable` when a later try may succeed. */
export class DagLoadError extends BatonError {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Loaded bundles by path. A bundle path names one DAG version, so it never goes stale. */
const bundles = new Map<string, Promise<Map<string, DagDefinition>>>();

/**
 * Serves `dags` as the bundle at `bundlePath` without importing a file: `baton/testing` runs the
 * DAG object a test imported, so its tasks run with the test's own modules (and mocks). Returns
 * a function that forgets them.
 */
export function provideBundle(bundlePath: string, dags: readonly DagDefinition[]): () => void {
  const served = Promise.resolve(new Map(dags.map((d) => [d.dagId, d])));
  bundles.set(bundlePath, served);
  return () => {
    if (bundles.get(bundlePath) === served) bundles.delete(bundlePath);
  };
}

/** The DagDefinition with `dagId` exported by the compiled bundle at `bundlePath`. */
export async function loadDag(bundlePath: string, dagId: string): Promise<DagDefinition> {
  let pending = bundles.get(bundlePath);
  if (pending === undefined) {
    pending = importBundle(bundlePath);
    bundles.set(bundlePath, pending);
    // A failed import is not cached: the next attempt tries again.
    pending.catch(() => bundles.delete(bundlePath));
  }
  const dags = await pending;
  const dag = dags.get(dagId);
  if (dag === undefined) {
    const found = [...dags.keys()].map((id) => `"${id}"`).join(", ") || "none";
    throw new DagLoadError(`DAG "${dagId}" is not exported by ${bundlePath} (DAGs found: ${found})`, false);
  }
  return dag;
}

async function importBundle(bundlePath: string): Promise<Map<string, DagDefinition>> {
  // Before the import: Node reads a module's source map only if maps are on when it loads. The
  // bundle's inline map names the original .ts files (bundle-dag-file.ts), so the stacks of
  // errors thrown by DAG code, stored and logged, name the user's files and lines. Covers every
  // process that runs DAG code: pool and callback children, the in-process executor, workers.
  process.setSourceMapsEnabled(true);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(bundlePath).href)) as Record<string, unknown>;
  } catch (e) {
    const why = e instanceof Error ? (e.stack ?? e.message) : String(e);
    throw new DagLoadError(`could not load DAG bundle ${bundlePath}: ${why}`, true, { cause: e });
  }
  const dags = new Map<string, DagDefinition>();
  for (const value of Object.values(mod)) {
    if (isDagDefinition(value)) dags.set(value.dagId, value);
  }
  return dags;
}
