import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandInbox } from "../../src/core/ports/command-inbox.js";
import { systemClock } from "../../src/core/ports/clock.js";
import { silentLogger } from "../../src/core/ports/logger.js";
import { InProcessExecutor } from "../../src/executor/in-process-executor.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../../src/store/contract/postgres-test-databases.js";
import type { FullStore } from "../../src/store/full-store.js";
import { openPostgresStore } from "../../src/store/postgres/open-postgres-store.js";
import { HEADER, Harness } from "../support/harness.js";

/**
 * docs/adr/0007-several-active-schedulers.md, "Pools": two schedulers on one PostgreSQL database
 * share a pool of 2 through slot grants, so never more than 2 pooled tasks run at once across
 * both, and every run still finishes.
 */
const DAGS = 4;
const TASKS = 4;
type Span = { what: "start" | "end"; dag: string; task: string; at: number };
const log: Span[] = ((globalThis as { __poolSpans?: Span[] }).__poolSpans = []);

let unreachable: string | undefined;
let dbs: PostgresTestDatabases | undefined;
beforeAll(async () => {
  unreachable = await probePostgres(TEST_PG_URL);
  if (!unreachable) dbs = await PostgresTestDatabases.create(TEST_PG_URL);
});
afterAll(async () => dbs?.dispose());

function dagFile(i: number): string {
  const task = (t: number) => `d.task("t${t}", { pool: "shared" }, async (ctx) => {
    const spans = globalThis.__poolSpans;
    spans.push({ what: "start", dag: ctx.dagId, task: ctx.taskId, at: Date.now() });
    await new Promise((r) => setTimeout(r, 120));
    spans.push({ what: "end", dag: ctx.dagId, task: ctx.taskId, at: Date.now() });
  });`;
  return `${HEADER}export default dag({ id: "p${i}" }, (d) => {\n${Array.from({ length: TASKS }, (_, t) => task(t)).join("\n")}\n});\n`;
}

function mostAtOnce(spans: Span[]): number {
  // Ends before starts at the same millisecond: a slot handed over is not an overlap.
  const sorted = [...spans].sort((a, b) => a.at - b.at || (a.what === "end" ? -1 : 1));
  let now = 0;
  let most = 0;
  for (const s of sorted) most = Math.max(most, (now += s.what === "start" ? 1 : -1));
  return most;
}

describe("pool slot grants with several schedulers (PostgreSQL)", () => {
  it("a pool of 2 runs at most 2 tasks at once across two schedulers, and every run finishes", async (t) => {
    if (unreachable) {
      console.warn(`skipping pool grants with several schedulers: PostgreSQL at ${TEST_PG_URL} is unreachable (${unreachable})`);
      t.skip();
      return;
    }
    const url = await dbs!.clone();
    const files = Object.fromEntries(Array.from({ length: DAGS }, (_, i) => [`p${i}.ts`, dagFile(i)]));
    const h = new Harness(files);
    const stores: FullStore[] = [];
    const schedulers: Scheduler[] = [];
    try {
      const setup = await openPostgresStore(url);
      stores.push(setup);
      h.store = setup;
      const loaded = await h.load();
      expect(loaded.errors).toEqual([]);
      await setup.upsertPool({ name: "shared", slots: 2, description: "" });
      for (const name of ["host-a:1", "host-b:2"]) {
        const store = await openPostgresStore(url);
        stores.push(store);
        const s = new Scheduler({
          store,
          inbox: store as unknown as CommandInbox,
          leases: store,
          executor: new InProcessExecutor({ concurrency: 4, echoOutput: false }),
          clock: systemClock,
          logger: silentLogger,
          options: {
            logsDir: h.logsDir,
            maxOutputBytes: 1024 * 1024,
            pollMs: 50,
            createScheduledRuns: false,
            schedulerId: name,
            lease: { heartbeatMs: 200, leaseMs: 5_000 },
          },
        });
        await s.start();
        schedulers.push(s);
      }
      // Both schedulers own DAGs before the runs are created, so both dispatch pooled work.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const leases = (await setup.listSchedulerLeases()).filter((l) => l.fencedAt === null);
        const owned = await Promise.all(leases.map((l) => setup.listOwnedDags(l.id)));
        if (owned.length === 2 && owned.every((o) => o.length > 0)) break;
        if (Date.now() > deadline) throw new Error(`DAGs not shared: ${JSON.stringify(owned)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const runs = [];
      for (let i = 0; i < DAGS; i++) runs.push(await h.trigger(`p${i}`));
      for (const s of schedulers) s.wake();
      const until = Date.now() + 30_000;
      let states: string[] = [];
      while (Date.now() < until) {
        states = await Promise.all(runs.map(async (r) => (await setup.getRunById(r.id))!.state));
        if (states.every((s) => s === "success" || s === "failed")) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(states).toEqual(runs.map(() => "success"));
      expect(log.filter((s) => s.what === "end")).toHaveLength(DAGS * TASKS);
      expect(mostAtOnce(log)).toBeLessThanOrEqual(2);
      expect(mostAtOnce(log)).toBe(2);
    } finally {
      for (const s of schedulers) await s.stop(1_000);
      for (const s of stores) await s.close();
      await h.dispose();
    }
  }, 60_000);
});
