import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../../src/core/ports/clock.js";
import { silentLogger } from "../../src/core/ports/logger.js";
import type { Store } from "../../src/core/ports/store.js";
import { InProcessExecutor } from "../../src/executor/in-process-executor.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { RUNNING_RUNS_PAGE } from "../../src/scheduler/running-runs.js";
import { newRun } from "../../src/store/contract/fixtures.js";
import type { FullStore } from "../../src/store/full-store.js";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite-store.js";

// Regression: a starting scheduler read every running run in one query (limit 1,000,000).
describe("a starting scheduler reads the running runs in pages", () => {
  let root: string;
  let store: FullStore;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-start-pages-"));
    store = await openSqliteStore(":memory:");
  });
  afterEach(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it(`2,500 running runs: no query returns more than ${RUNNING_RUNS_PAGE}, and every run is recovered once`, async () => {
    const total = 2_500;
    for (let i = 0; i < total; i++) await store.createRun(newRun("gone", `r${i}`, { state: "running", dagVersion: "missing-version" }), []);
    let largest = 0;
    const counted = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== "listRuns" || typeof value !== "function") return typeof value === "function" ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          const rows = (await (value as (...a: unknown[]) => Promise<unknown[]>).apply(target, args)) as unknown[];
          largest = Math.max(largest, rows.length);
          return rows;
        };
      },
    }) as Store;
    const scheduler = new Scheduler({
      store: counted,
      executor: new InProcessExecutor({ echoOutput: false }),
      clock: systemClock,
      logger: silentLogger,
      options: { logsDir: join(root, "logs"), maxOutputBytes: 1024, pollMs: 60_000 },
    });
    const t0 = performance.now();
    await scheduler.start();
    const ms = performance.now() - t0;
    await scheduler.stop(0);
    console.info(`start with ${total} running runs: largest query ${largest} rows, ${ms.toFixed(0)} ms`);
    expect(largest).toBeLessThanOrEqual(RUNNING_RUNS_PAGE);
    // Each was activated (their version is gone, so each ends failed saying so): none skipped, none twice.
    const failed = await store.listRuns({ states: ["failed"], limit: 10_000 });
    expect(failed).toHaveLength(total);
    expect(failed.every((r) => r.note === "DAG version missing-version is missing")).toBe(true);
  });
});
