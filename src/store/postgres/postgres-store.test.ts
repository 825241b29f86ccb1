import { Kysely, PostgresDialect } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../core/ports/store.js";
import { describeStoreContract } from "../contract/store-contract.js";
import { formatFigures, measureCommit } from "../contract/measure-commit.js";
import { newRun, taskInstance } from "../contract/fixtures.js";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../contract/postgres-test-databases.js";
import { describeUpgradeContract } from "../contract/upgrade-contract.js";
import { POSTGRES_FEATURES } from "../dialect-features.js";
import { openStore } from "../open-store.js";
import type { Database } from "../schema/database.js";
import { openPostgresStore, POSTGRES_CAPABILITIES } from "./open-postgres-store.js";
import { createPgPool, redactUrl } from "./pg-pool.js";

const unreachable = await probePostgres(TEST_PG_URL);
if (unreachable !== undefined) {
  console.warn(`Skipping the PostgreSQL store tests: cannot use ${redactUrl(TEST_PG_URL)} (${unreachable}). ` + "Start a server or set BATON_TEST_PG_URL.");
}

describe.skipIf(unreachable !== undefined)("PostgreSQL", () => {
  let dbs: PostgresTestDatabases;
  const urls = new WeakMap<Store, string>();

  beforeAll(async () => {
    dbs = await PostgresTestDatabases.create(TEST_PG_URL);
  });
  afterAll(async () => {
    await dbs?.dispose();
  });

  describeStoreContract(
    "postgres",
    async () => {
      const url = await dbs.clone();
      const store = await openPostgresStore(url);
      urls.set(store, url);
      return store;
    },
    async (store) => {
      const url = urls.get(store);
      if (url !== undefined) await dbs.drop(url);
    },
  );

  describeUpgradeContract("postgres", async () => {
    const url = await dbs.empty();
    return {
      features: POSTGRES_FEATURES,
      capabilities: POSTGRES_CAPABILITIES,
      connect: () => new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPgPool(url) }) }),
      open: () => openPostgresStore(url),
      cleanup: () => dbs.drop(url),
    };
  });

  describe("PostgreSQL adapter", () => {
    it("migrates an empty database, reports SKIP LOCKED and networking, and openStore picks it by scheme", async () => {
      const url = await dbs.empty();
      const store = await openStore(url.replace(/^postgres:/, "postgresql:"));
      try {
        expect(store.capabilities).toEqual({ skipLocked: true, networked: true });
        expect(await store.listPools()).toHaveLength(1);
        await store.migrate();
      } finally {
        await store.close();
        await dbs.drop(url);
      }
    });

    it("two stores (two pools) racing to create the same run: one wins, neither throws", async () => {
      const url = await dbs.clone();
      const [a, b] = [await openPostgresStore(url), await openPostgresStore(url)];
      try {
        const tis = Array.from({ length: 200 }, (_, i) => taskInstance(`t${i}`));
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).createRun(newRun("etl", "race"), tis)));
        expect(results.filter((r) => r !== undefined)).toHaveLength(1);
        expect(await b.listTaskInstancesInStates(["none"])).toHaveLength(200);
      } finally {
        await a.close();
        await b.close();
        await dbs.drop(url);
      }
    });

    // Prints the PostgreSQL figures quoted in docs/storage.md; deliberately no timing assertion.
    it("reports commit cost", async () => {
      const url = await dbs.clone();
      const store = await openPostgresStore(url);
      try {
        const figures = await measureCommit(store);
        console.log(formatFigures(`PostgreSQL (${redactUrl(TEST_PG_URL)})`, figures));
        expect(await store.listTaskInstancesInStates(["running"])).toHaveLength(7);
      } finally {
        await store.close();
        await dbs.drop(url);
      }
    });

    it("an unreachable server fails with the redacted URL in the message", async () => {
      await expect(openPostgresStore("postgres://baton:secret@127.0.0.1:1/nowhere")).rejects.toThrow(/postgres:\/\/baton:\*\*\*@127\.0\.0\.1:1\/nowhere/);
    });
  });
});
