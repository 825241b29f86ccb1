import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/ports/logger.js";
import { systemClock } from "../../src/core/ports/clock.js";
import type { RunRecord } from "../../src/core/model/records.js";
import { LocalProcessExecutor } from "../../src/executor/local-process-executor.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import type { FullStore } from "../../src/store/full-store.js";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite-store.js";
import { HEADER, Harness } from "../support/harness.js";

/** The harness, with the scheduler given the store's dataset port as the composition root does. */
class DatasetHarness extends Harness {
  get full(): FullStore {
    return this.store as FullStore;
  }

  override async start(): Promise<Scheduler> {
    this.executor = new LocalProcessExecutor({ processes: 2, prefetch: 2, killGraceMs: 200 });
    this.scheduler = new Scheduler({
      store: this.store,
      inbox: this.full,
      datasets: this.full,
      executor: this.executor,
      clock: systemClock,
      logger: silentLogger,
      options: { logsDir: this.logsDir, maxOutputBytes: 1024 * 1024, pollMs: 50, createScheduledRuns: true },
    });
    await this.scheduler.start();
    return this.scheduler;
  }
}

let h: DatasetHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await sleep(50);
  }
}

const FILES = {
  "producers.ts": `${HEADER}
export const a = dag({ id: "make_a" }, () => { task("load", { outlets: ["warehouse://a"] }, async () => 1); });
export const b = dag({ id: "make_b" }, () => { shell("load", { command: "true", outlets: ["warehouse://b"], inlets: ["s3://raw/b"] }); });
export const broken = dag({ id: "break_a" }, () => { task("load", { outlets: ["warehouse://a"] }, async () => { throw new Error("boom"); }); });
`,
  "consumer.ts": `${HEADER}export default dag({ id: "consumer", schedule: { datasets: ["warehouse://a", "warehouse://b"] } }, () => { task("use", async (ctx) => ctx.runType); });\n`,
};

async function consumerRuns(store: FullStore): Promise<RunRecord[]> {
  return store.listRuns({ dagId: "consumer" });
}

describe("scheduler: dataset-triggered runs", () => {
  it("runs a consumer once both of its datasets were updated, once per batch, not on a producer's failure", async () => {
    h = new DatasetHarness(FILES);
    expect((await h.load()).errors).toEqual([]);
    await h.start();

    expect((await h.runToEnd("make_a")).run.state).toBe("success");
    expect((await h.runToEnd("make_a")).run.state).toBe("success");
    expect((await h.runToEnd("break_a")).run.state).toBe("failed");
    await sleep(300);
    expect(await consumerRuns(h.full)).toEqual([]);
    const aEvents = await h.full.listDatasetEvents({ uris: ["warehouse://a"] });
    expect(aEvents.map((e) => e.source?.dagId)).toEqual(["make_a", "make_a"]);

    expect((await h.runToEnd("make_b")).run.state).toBe("success");
    const [run] = await until(async () => {
      const rs = await consumerRuns(h!.full);
      return rs.length === 1 && rs[0]!.state === "success" ? rs : undefined;
    });
    expect(run!.runType).toBe("dataset");
    const listed = (run!.conf as { triggeringDatasetEvents: { uri: string }[] }).triggeringDatasetEvents;
    expect(listed.map((e) => e.uri).sort()).toEqual(["warehouse://a", "warehouse://a", "warehouse://b"]);
    expect((await h.store.listTaskInstances(run!.id))[0]?.output).toBe(JSON.stringify("dataset"));

    await sleep(300);
    expect(await consumerRuns(h.full)).toHaveLength(1);

    // Only b updated again: not due.
    expect((await h.runToEnd("make_b")).run.state).toBe("success");
    await sleep(300);
    expect(await consumerRuns(h.full)).toHaveLength(1);
  });

  it("counts events recorded from outside (the API's path) like a producer's", async () => {
    h = new DatasetHarness(FILES);
    await h.load();
    await h.start();
    await h.full.recordDatasetEvents([
      { uri: "warehouse://a", source: null, extra: { rows: 10 }, createdAt: Date.now() },
      { uri: "warehouse://b", source: null, extra: {}, createdAt: Date.now() },
    ]);
    h.scheduler.wake();
    const runs = await until(async () => {
      const rs = await consumerRuns(h!.full);
      return rs.length === 1 && rs[0]!.state === "success" ? rs : undefined;
    });
    expect(runs[0]!.runId).toMatch(/^dataset__e\d+$/);
  });

  it("a paused consumer gets no run; on unpause one run covers everything that happened", async () => {
    h = new DatasetHarness(FILES);
    await h.load();
    await h.full.setDagPaused("consumer", true);
    await h.start();
    for (const uri of ["warehouse://a", "warehouse://b", "warehouse://a"]) {
      await h.full.recordDatasetEvents([{ uri, source: null, extra: {}, createdAt: Date.now() }]);
    }
    h.scheduler.wake();
    await sleep(300);
    expect(await consumerRuns(h.full)).toEqual([]);
    await h.full.setDagPaused("consumer", false);
    h.scheduler.wake();
    await until(async () => ((await consumerRuns(h!.full)).length === 1 ? true : undefined));
    await sleep(300);
    expect(await consumerRuns(h.full)).toHaveLength(1);
  });

  it("events older than the consumer DAG do not count", async () => {
    h = new DatasetHarness(FILES);
    h.store = await openSqliteStore(h.dbPath);
    const before = Date.now() - 60_000;
    await h.full.recordDatasetEvents(["warehouse://a", "warehouse://b"].map((uri) => ({ uri, source: null, extra: {}, createdAt: before })));
    await h.load();
    await h.start();
    await sleep(300);
    expect(await consumerRuns(h.full)).toEqual([]);
    await h.full.recordDatasetEvents(["warehouse://a", "warehouse://b"].map((uri) => ({ uri, source: null, extra: {}, createdAt: Date.now() })));
    h.scheduler.wake();
    const [run] = await until(async () => {
      const rs = await consumerRuns(h!.full);
      return rs.length === 1 ? rs : undefined;
    });
    expect((run!.conf as { triggeringDatasetEvents: unknown[] }).triggeringDatasetEvents).toHaveLength(2);
  });
});
