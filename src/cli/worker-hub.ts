import { dirname, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadWorkerHubConfig } from "../config/worker-hub-config.js";
import { systemClock } from "../core/ports/clock.js";
import { WorkerHub } from "../remote/hub/worker-hub.js";
import { StoreDagRunsGateway } from "../scheduler/requests/store-dag-runs-gateway.js";
import { batonVersion } from "./baton-version.js";
import { openSecretsResolver, type Runtime } from "./runtime.js";

/**
 * `file:` URL of this installation's compiled `src/` folder, ending in `/`: bundles import the
 * SDK (`sdk/index.js`) and the other public entries under it (see SDK_ENTRY), and a worker
 * rewrites this prefix to its own.
 */
export function sdkRoot(): string {
  // The folder above this one, as SDK_ENTRY's (dag-processor/bundle-dag-file.ts) is: not imported
  // from there, which would load esbuild before the API answers (issue 13: start fast).
  return pathToFileURL(dirname(dirname(fileURLToPath(import.meta.url))) + sep).href;
}

/**
 * The API server's worker hub (docs/workers.md#worker-channel) over this runtime's store and
 * RemoteSignal; `wake` nudges an in-process scheduler (standalone) when a remote attempt's
 * cross-DAG operator triggers a run. Throws InvalidInputError for a wrong BATON_WORKER_* value.
 */
export async function openWorkerHub(rt: Runtime, wake?: () => void): Promise<WorkerHub> {
  const { config, store, logger } = rt;
  const { lostAfterMs, heartbeatMs } = loadWorkerHubConfig();
  return new WorkerHub({
    store: store.workers,
    signal: await rt.remoteSignal(),
    clock: systemClock,
    logger,
    // Over the given store, the resolver owns nothing to close.
    secrets: openSecretsResolver(config, store).resolver,
    dagRuns: new StoreDagRunsGateway({ store, clock: systemClock, ...(wake ? { wake } : {}) }),
    sdkRoot: sdkRoot(),
    version: batonVersion(),
    lostAfterMs,
    heartbeatMs,
    bundlesDir: config.bundleDir,
  });
}
