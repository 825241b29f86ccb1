import { mkdirSync } from "node:fs";
import type { BatonConfig } from "../config/config.js";
import { systemClock } from "../core/ports/clock.js";
import type { DagRunsGateway } from "../core/ports/dag-runs-gateway.js";
import { StoreDagRunsGateway } from "../scheduler/requests/store-dag-runs-gateway.js";
import { openStore, type FullStore } from "../store/index.js";

/**
 * What `dags test` and `tasks test` give the cross-DAG operators: the configured database
 * (opened on the first call, so a DAG that never asks needs none), as in Airflow's `dags test`.
 * A run triggered there is started by the scheduler serving that database (`baton standalone`),
 * not by the test; there is no scheduler of this process to wake.
 */
export function openDagRunsGateway(config: BatonConfig): { gateway: DagRunsGateway; close(): Promise<void> } {
  let owned: Promise<FullStore> | undefined;
  const gateway = new StoreDagRunsGateway({
    store: () =>
      (owned ??= (async () => {
        mkdirSync(config.home, { recursive: true });
        return openStore(config.databaseUrl);
      })()),
    clock: systemClock,
  });
  return {
    gateway,
    close: async () => {
      await (await owned?.catch(() => undefined))?.close();
    },
  };
}
