import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FullStore } from "../full-store.js";
import { describeAnomaliesContract } from "./anomalies-contract.js";
import { describeAuditContract } from "./audit-contract.js";
import { describeAuthContract } from "./auth-contract.js";
import { describeBackfillsContract } from "./backfills-contract.js";
import { describeCallbacksContract } from "./callbacks-contract.js";
import { describeCommandsContract } from "./commands-contract.js";
import { describeCommitContract } from "./commit-contract.js";
import { describeDagsContract } from "./dags-contract.js";
import { describeDatasetsContract } from "./datasets-contract.js";
import { describeDeadlinesContract } from "./deadlines-contract.js";
import { describeLivenessContract } from "./liveness-contract.js";
import { describeNotificationsContract } from "./notifications-contract.js";
import { describeOverviewContract } from "./overview-contract.js";
import { describePoolsContract } from "./pools-contract.js";
import { describeRunsContract } from "./runs-contract.js";
import { describeQueuedRunsContract } from "./queued-runs-contract.js";
import { describeRetentionContract } from "./retention-contract.js";
import { describeSearchContract } from "./search-contract.js";
import { describeSchedulerLeasesContract } from "./scheduler-leases-contract.js";
import { describeSecretsContract } from "./secrets-contract.js";
import { describeSensorWaitsContract } from "./sensor-waits-contract.js";
import { describeInfraTriesContract } from "./infra-tries-contract.js";
import { describeTrendsContract } from "./trends-contract.js";
import { describeWorkersContract } from "./workers-contract.js";
import type { StoreUnderTest } from "./store-under-test.js";

/**
 * The contract of the ports the database implements (Store, CommandInbox, AuthStore), run
 * against every adapter. `makeStore` must return a store over a fresh, migrated, empty
 * database; the suite closes it after each test and then calls `cleanup` (e.g. to drop that
 * database).
 *
 * @example
 * describeStoreContract("sqlite", () => openSqliteStore(freshTempFile()));
 */
export function describeStoreContract(name: string, makeStore: () => Promise<FullStore>, cleanup?: (store: FullStore) => Promise<void>): void {
  describe(`Store contract: ${name}`, () => {
    let current: FullStore | undefined;
    const sut: StoreUnderTest = {
      get store(): FullStore {
        if (current === undefined) throw new Error("the store is only available inside a test");
        return current;
      },
    };

    beforeEach(async () => {
      current = await makeStore();
    });

    afterEach(async () => {
      const store = current;
      current = undefined;
      if (store === undefined) return;
      await store.close();
      await cleanup?.(store);
    });

    describe("lifecycle", () => {
      it("declares its capabilities as booleans", () => {
        expect(typeof sut.store.capabilities.skipLocked).toBe("boolean");
        expect(typeof sut.store.capabilities.networked).toBe("boolean");
      });

      it("migrate() run twice more keeps data and does not re-seed", async () => {
        await sut.store.upsertPool({ name: "default_pool", slots: 7, description: "changed" });
        await sut.store.heartbeat("scheduler", "a", 1);
        await sut.store.migrate();
        await sut.store.migrate();
        expect(await sut.store.listPools()).toEqual([{ name: "default_pool", slots: 7, description: "changed" }]);
        expect(await sut.store.listHeartbeats("scheduler")).toEqual([{ id: "a", at: 1 }]);
      });

      it("close() is idempotent", async () => {
        await sut.store.close();
        await sut.store.close();
      });
    });

    describeDagsContract(sut);
    describeRunsContract(sut);
    describeQueuedRunsContract(sut);
    describeCommitContract(sut);
    describePoolsContract(sut);
    describeBackfillsContract(sut);
    describeLivenessContract(sut);
    describeCommandsContract(sut);
    describeAuthContract(sut);
    describeSecretsContract(sut);
    describeDatasetsContract(sut);
    describeSensorWaitsContract(sut);
    describeInfraTriesContract(sut);
    describeCallbacksContract(sut);
    describeSchedulerLeasesContract(sut);
    describeDeadlinesContract(sut);
    describeNotificationsContract(sut);
    describeAuditContract(sut);
    describeAnomaliesContract(sut);
    describeWorkersContract(sut);
    describeRetentionContract(sut);
    describeSearchContract(sut);
    describeOverviewContract(sut);
    describeTrendsContract(sut);
  });
}
