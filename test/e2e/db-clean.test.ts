import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/index.js";
import { attempt, newRun, taskInstance } from "../../src/store/contract/fixtures.js";
import { baton, batonJson, startStandalone } from "./baton-cli.js";

const DAY = 86_400_000;
let root: string;
let env: Record<string, string>;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-clean-"));
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags") };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const logDir = (dagId: string, runId: string) => join(root, "home", "logs", `dag_id=${dagId}`, `run_id=${runId}`);

/** Runs with two task instances and attempts each, and a log file per run. */
async function seed(
  runs: { dagId: string; runId: string; state: "success" | "failed" | "running" | "queued"; endedDaysAgo: number | null; createdDaysAgo: number }[],
) {
  const store = await openSqliteStore(join(root, "home", "baton.db"));
  try {
    for (const r of runs) {
      const created = Date.now() - r.createdDaysAgo * DAY;
      const run = (await store.createRun(newRun(r.dagId, r.runId, { createdAt: created }), [taskInstance("a"), taskInstance("b")]))!;
      await store.commit({
        runs: [{ id: run.id, state: r.state, endedAt: r.endedDaysAgo === null ? null : Date.now() - r.endedDaysAgo * DAY }],
        attempts: [attempt(run.id, "a", 1, { state: "success" }), attempt(run.id, "b", 1, { state: "success" })],
      });
      mkdirSync(join(logDir(r.dagId, r.runId), "task_id=a"), { recursive: true });
      writeFileSync(join(logDir(r.dagId, r.runId), "task_id=a", "attempt=1.log"), "hello\n");
    }
  } finally {
    await store.close();
  }
}

describe("baton db clean (the real binary)", () => {
  it("--dry-run counts, --dag narrows, then deletes old finished runs with their logs; active and recent runs stay", async () => {
    await seed([
      { dagId: "etl", runId: "old_ok", state: "success", endedDaysAgo: 100, createdDaysAgo: 100 },
      { dagId: "etl", runId: "old_failed", state: "failed", endedDaysAgo: 95, createdDaysAgo: 95 },
      { dagId: "etl", runId: "old_running", state: "running", endedDaysAgo: null, createdDaysAgo: 120 },
      { dagId: "etl", runId: "recent", state: "success", endedDaysAgo: 10, createdDaysAgo: 10 },
      { dagId: "report", runId: "old_report", state: "success", endedDaysAgo: 200, createdDaysAgo: 200 },
    ]);
    const dry = await baton(["db", "clean", "--older-than", "90d", "--dry-run", "--json"], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(batonJson(dry)).toMatchObject({ dryRun: true, dagId: null, runs: 3, taskInstances: 6, attempts: 6 });
    expect(existsSync(logDir("etl", "old_ok"))).toBe(true);
    const dryText = await baton(["db", "clean", "--older-than", "90d", "--dry-run"], env);
    expect(dryText.stdout).toMatch(/^Would delete 3 finished runs that ended before .*: 6 task instances, 6 attempts, and their logs\. Nothing was deleted/);

    const etl = await baton(["db", "clean", "--older-than", "90d", "--dag", "etl", "--json"], env);
    expect(etl.code, etl.stderr).toBe(0);
    expect(batonJson(etl)).toMatchObject({ dryRun: false, dagId: "etl", runs: 2, taskInstances: 4, attempts: 4, logDirs: 2, batches: 1 });
    expect(existsSync(logDir("etl", "old_ok"))).toBe(false);
    expect(existsSync(logDir("etl", "old_failed"))).toBe(false);
    expect(existsSync(logDir("etl", "old_running"))).toBe(true);
    expect(existsSync(logDir("report", "old_report"))).toBe(true);

    const all = await baton(["db", "clean", "--older-than", "90d"], env);
    expect(all.stdout).toMatch(/^Deleted 1 finished runs that ended before .*: 2 task instances, 2 attempts, 1 log folders, in 1 batches/);
    expect(existsSync(join(root, "home", "logs", "dag_id=report"))).toBe(false); // its last run's folder went, and the empty DAG folder with it
    const runs = batonJson<{ runId: string }[]>(await baton(["runs", "list", "--json"], env));
    expect(runs.map((r) => r.runId).sort()).toEqual(["old_running", "recent"]);
  });

  it("refuses a missing or malformed --older-than (exit 2)", async () => {
    const missing = await baton(["db", "clean"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--older-than/);
    const bad = await baton(["db", "clean", "--older-than", "ninety days"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--older-than "ninety days" is not a duration/);
  });
});

describe("BATON_RUN_RETENTION (a real standalone)", () => {
  it("the scheduler deletes old finished runs with their logs on its own, every interval; active and recent runs stay", async () => {
    mkdirSync(join(root, "dags"), { recursive: true });
    await seed([
      { dagId: "etl", runId: "old_ok", state: "success", endedDaysAgo: 100, createdDaysAgo: 100 },
      { dagId: "etl", runId: "recent", state: "success", endedDaysAgo: 10, createdDaysAgo: 10 },
    ]);
    const { proc } = await startStandalone({ ...env, BATON_API_PORT: "0", BATON_RUN_RETENTION: "90d", BATON_RUN_RETENTION_INTERVAL: "1s" });
    try {
      const deadline = Date.now() + 30_000;
      while (existsSync(logDir("etl", "old_ok")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    } finally {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
    }
    expect(existsSync(logDir("etl", "old_ok"))).toBe(false);
    expect(existsSync(logDir("etl", "recent"))).toBe(true);
    const store = await openSqliteStore(join(root, "home", "baton.db"));
    try {
      expect(await store.getRun("etl", "old_ok")).toBeUndefined();
      expect(await store.getRun("etl", "recent")).toBeDefined();
    } finally {
      await store.close();
    }
  });
});
