import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunState } from "../core/model/states.js";
import { ManualClock } from "../core/testing/manual-clock.js";
import type { Logger } from "../core/ports/logger.js";
import { attempt, dagVersion, newRun, taskInstance } from "../store/contract/fixtures.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite-store.js";
import type { FullStore } from "../store/full-store.js";
import { RunRetention } from "./run-retention.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = 1_800_000_000_000;

const logged: { msg: string; obj: object }[] = [];
const logger: Logger = {
  debug() {},
  info: (obj: object, msg?: string) => void logged.push({ obj, msg: msg ?? "" }),
  warn() {},
  error: (obj: object, msg?: string) => void logged.push({ obj, msg: msg ?? "" }),
} as Logger;

let store: FullStore | undefined;
let dir: string | undefined;
afterEach(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  store = dir = undefined;
  logged.length = 0;
});

async function setup() {
  dir = mkdtempSync(join(tmpdir(), "baton-retention-"));
  store = (await openSqliteStore(":memory:")) as FullStore;
  await store.migrate();
  const logsDir = join(dir, "logs");
  const s = store;
  /** A run with one task and attempt, in `state`, ended at `endedAt`, with a log folder. */
  const run = async (runId: string, state: RunState, endedAt: number | null) => {
    const created = await s.createRun(newRun("etl", runId, { createdAt: endedAt ?? T0 }), [taskInstance("a")]);
    const pk = created!.id;
    await s.commit({
      runs: [{ id: pk, state, endedAt }],
      taskInstances: [taskInstance("a", { runPk: pk, state: "success", tryNumber: 1 })],
      attempts: [attempt(pk, "a", 1, { state: "success" })],
    });
    const logDir = join(logsDir, "dag_id=etl", `run_id=${runId}`);
    mkdirSync(logDir, { recursive: true });
    writeFileSync(join(logDir, "a.log"), "log\n");
    return { pk, logDir };
  };
  return { s, logsDir, run };
}

describe("RunRetention (BATON_RUN_RETENTION)", () => {
  it("every interval on the clock, deletes finished runs past the retention with their logs; never active or recent runs", async () => {
    const { s, logsDir, run } = await setup();
    const clock = new ManualClock(T0);
    const old = await run("old", "success", T0 - 100 * DAY);
    const oldFailed = await run("old_failed", "failed", T0 - 95 * DAY);
    const active = await run("old_running", "running", null);
    const recent = await run("recent", "success", T0 - 10 * DAY);
    const retention = new RunRetention(s.retention, clock, logger, { olderThanMs: 90 * DAY, intervalMs: HOUR, logsDir, bundleDir: join(dir!, "bundles") });
    retention.start();

    clock.advance(HOUR - 1);
    expect(await s.getRunById(old.pk)).toBeDefined(); // nothing before the first interval
    clock.advance(1);
    // The pass: one batch, a pause on the clock as long as it took, then an empty batch.
    for (let i = 0; i < 50 && (await s.getRunById(old.pk)) !== undefined; i++) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 50 && !logged.some((l) => l.msg.startsWith("run retention")); i++) {
      clock.advance(1_000);
      await new Promise((r) => setImmediate(r));
    }
    expect(await s.getRunById(old.pk)).toBeUndefined();
    expect(await s.getRunById(oldFailed.pk)).toBeUndefined();
    expect(existsSync(old.logDir)).toBe(false);
    expect(await s.getRunById(active.pk)).toBeDefined();
    expect(await s.getRunById(recent.pk)).toBeDefined();
    expect(existsSync(recent.logDir)).toBe(true);
    expect(logged.find((l) => l.msg.startsWith("run retention"))?.obj).toMatchObject({ runs: 2, taskInstances: 2, attempts: 2, logDirs: 2, batches: 1 });

    // 81 days later the recent run is past 90 days too: a later interval takes it.
    clock.advance(81 * DAY);
    for (let i = 0; i < 50 && (await s.getRunById(recent.pk)) !== undefined; i++) {
      clock.advance(HOUR / 4);
      await new Promise((r) => setImmediate(r));
    }
    expect(await s.getRunById(recent.pk)).toBeUndefined();
    expect(await s.getRunById(active.pk)).toBeDefined();
    await retention.stop();
    expect(clock.pending).toBe(0);
  });

  it("a failed pass is logged and tried again at the next interval", async () => {
    const { s, logsDir, run } = await setup();
    const clock = new ManualClock(T0);
    const old = await run("old", "success", T0 - 100 * DAY);
    let calls = 0;
    const flaky = {
      purgeBundles: (savedBefore: number) => s.retention.purgeBundles(savedBefore),
      purgeFinishedRuns: (...args: Parameters<typeof s.retention.purgeFinishedRuns>) => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error("database is locked")) : s.retention.purgeFinishedRuns(...args);
      },
    };
    const retention = new RunRetention(flaky, clock, logger, { olderThanMs: 90 * DAY, intervalMs: HOUR, logsDir, bundleDir: join(dir!, "bundles") });
    retention.start();
    clock.advance(HOUR);
    for (let i = 0; i < 50 && !logged.some((l) => l.msg.startsWith("run retention failed")); i++) await new Promise((r) => setImmediate(r));
    expect(logged.map((l) => l.msg)).toContain("run retention failed; trying again at the next interval");
    expect(await s.getRunById(old.pk)).toBeDefined();
    clock.advance(HOUR);
    for (let i = 0; i < 50 && (await s.getRunById(old.pk)) !== undefined; i++) {
      clock.advance(1_000);
      await new Promise((r) => setImmediate(r));
    }
    expect(await s.getRunById(old.pk)).toBeUndefined();
    await retention.stop();
  });

  it("after the runs, deletes the DAG bundles (rows and files) no current version and no remaining run uses, unchanged for an hour", async () => {
    const { s, logsDir, run } = await setup();
    const bundleDir = join(dir!, "bundles");
    mkdirSync(bundleDir);
    const h = (c: string) => c.repeat(64);
    const clock = new ManualClock(T0);
    // etl: version "v1" (the old run's), then "v2" (current); "x": a bundle file and row nothing names.
    await s.saveDagVersion({ ...dagVersion("etl", "v1"), bundlePath: join(bundleDir, `${h("a")}.mjs`) });
    await s.saveDagVersion({ ...dagVersion("etl", "v2"), bundlePath: join(bundleDir, `${h("b")}.mjs`) });
    const old = await run("old", "success", T0 - 100 * DAY); // newRun's version is "v1"
    for (const c of ["a", "b", "c"]) {
      await s.workers.saveBundle(h(c), `// ${c}\n`, T0 - 2 * HOUR);
      writeFileSync(join(bundleDir, `${h(c)}.mjs`), `// ${c}\n`);
      utimesSync(join(bundleDir, `${h(c)}.mjs`), (T0 - 2 * HOUR) / 1000, (T0 - 2 * HOUR) / 1000);
    }
    writeFileSync(join(bundleDir, "dag-files.json"), "{}");
    const retention = new RunRetention(s.retention, clock, logger, { olderThanMs: 90 * DAY, intervalMs: HOUR, logsDir, bundleDir });
    const totals = retention.purgeNow();
    for (let i = 0; i < 50; i++) {
      clock.advance(1_000);
      await new Promise((r) => setImmediate(r));
    }
    // The run was deleted first, so v1's bundle "a" went with "c"; "b" (current) stays.
    expect(await totals).toMatchObject({ runs: 1, bundles: 2, bundleFiles: 2 });
    expect(await s.getRunById(old.pk)).toBeUndefined();
    expect(await s.workers.getBundle(h("a"))).toBeUndefined();
    expect(await s.workers.getBundle(h("c"))).toBeUndefined();
    expect(await s.workers.getBundle(h("b"))).toBe("// b\n");
    expect(existsSync(join(bundleDir, `${h("a")}.mjs`))).toBe(false);
    expect(existsSync(join(bundleDir, `${h("b")}.mjs`))).toBe(true);
    expect(existsSync(join(bundleDir, "dag-files.json"))).toBe(true);
    expect(logged.find((l) => l.msg === "run retention: deleted unused DAG bundles")?.obj).toEqual({ bundles: 2, bundleFiles: 2 });
    await retention.stop();
  });
});
