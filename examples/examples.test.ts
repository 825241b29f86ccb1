// Runs every example DAG the way a user does: the real `baton dags test` command, one fresh
// BATON_HOME per test, then checks what the run left behind (states, files, DuckDB rows).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterEach, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(REPO, "bin", "baton.js");
const RUN_TIMEOUT_MS = 120_000;

interface TaskResult {
  taskId: string;
  state: string;
  attempts: number;
  durationMs: number | null;
}
interface RunResult {
  dagId: string;
  runId: string;
  state: string;
  tasks: TaskResult[];
}

const homes: string[] = [];
afterEach(async () => {
  await Promise.all(homes.splice(0).map((h) => rm(h, { recursive: true, force: true })));
});

async function freshHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), "baton-examples-"));
  homes.push(home);
  return home;
}

/** Spawns `node bin/baton.js …` with BATON_HOME=home; resolves with the exit code and output. */
function baton(home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: REPO, env: { ...process.env, BATON_HOME: home }, timeout: RUN_TIMEOUT_MS, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // A numeric code is an ordinary non-zero exit; anything else (spawn error, killed by timeout) is not.
        if (error && typeof error.code !== "number") reject(new Error(`baton ${args.join(" ")}: ${error.message}\n${stderr}`));
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** `baton dags test <dagId> --json`; checks the exit code and returns the one JSON object printed. */
async function dagsTest(home: string, dagId: string, opts: { date?: string; conf?: Record<string, unknown>; expectExit?: 0 | 1 } = {}): Promise<RunResult> {
  const args = ["dags", "test", dagId, "--dags", "examples/dags", "--home", home, "--json"];
  if (opts.date) args.push("--date", opts.date);
  if (opts.conf) args.push("--conf", JSON.stringify(opts.conf));
  const { code, stdout, stderr } = await baton(home, args);
  const output = `exit ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`;
  expect(code, output).toBe(opts.expectExit ?? 0);
  let run: RunResult;
  try {
    run = JSON.parse(stdout) as RunResult;
  } catch {
    throw new Error(`stdout is not one JSON object\n${output}`);
  }
  expect(run.dagId).toBe(dagId);
  return run;
}

function task(run: RunResult, taskId: string): TaskResult {
  const found = run.tasks.find((t) => t.taskId === taskId);
  if (!found) throw new Error(`no task "${taskId}" in ${JSON.stringify(run.tasks.map((t) => t.taskId))}`);
  return found;
}

function states(run: RunResult): Record<string, string> {
  return Object.fromEntries(run.tasks.map((t) => [t.taskId, t.state]));
}

describe("the examples folder (what `npm start` loads)", () => {
  it("loads every example DAG with no import error and no service running", async () => {
    const home = await freshHome();
    const errors = await baton(home, ["dags", "errors", "--dags", "examples/dags", "--json"]);
    expect(errors.code, errors.stderr).toBe(0);
    expect(JSON.parse(errors.stdout)).toEqual([]);
    const list = await baton(home, ["dags", "list", "--dags", "examples/dags", "--json"]);
    const ids = (JSON.parse(list.stdout) as { dagId: string }[]).map((d) => d.dagId).sort();
    expect(ids).toEqual([
      "branching",
      "cross_cloud_backup",
      "failure_handling",
      "flaky_retry",
      "hello",
      "ml_train_deploy",
      "sales_etl",
      "streaming_ingest",
      "warehouse_etl_postgres",
    ]);
  });
});

describe("sales_etl", () => {
  const SALES_TASKS = ["seed_landing", "validate", "transform", "load", "quality_check", "archive"];

  /** Data lines of a CSV file, split on commas (the example's files have no quoted fields). */
  async function csvRows(path: string): Promise<string[][]> {
    const lines = (await readFile(path, "utf8")).split("\n").filter((l) => l !== "");
    return lines.slice(1).map((l) => l.split(","));
  }

  /** order_ids per ds in the warehouse, sorted. */
  async function warehouseOrderIds(root: string): Promise<Record<string, string[]>> {
    const instance = await DuckDBInstance.create(join(root, "warehouse.duckdb"), { access_mode: "READ_ONLY" });
    const db = await instance.connect();
    try {
      const reader = await db.runAndReadAll("SELECT ds::VARCHAR AS ds, order_id FROM sales ORDER BY ds, order_id");
      const out: Record<string, string[]> = {};
      for (const row of reader.getRowObjectsJS()) (out[String(row["ds"])] ??= []).push(String(row["order_id"]));
      return out;
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  }

  /** Runs one day and checks the files it leaves; returns the valid order_ids and the raw file. */
  async function runDay(home: string, ds: string): Promise<{ validIds: string[]; raw: string; quarantine: string }> {
    const run = await dagsTest(home, "sales_etl", { date: ds });
    expect(run.state).toBe("success");
    expect(states(run)).toEqual(Object.fromEntries(SALES_TASKS.map((t) => [t, "success"])));

    const root = join(home, "examples", "sales");
    const archived = join(root, "archive", `sales_${ds}.csv`);
    expect(existsSync(archived), `${archived} exists`).toBe(true);
    expect(existsSync(join(root, "landing", `sales_${ds}.csv`)), "raw file left the landing folder").toBe(false);

    const rawIds = (await csvRows(archived)).map((cells) => cells[0] ?? "");
    const quarantinePath = join(root, "quarantine", `sales_${ds}.csv`);
    const quarantined = await csvRows(quarantinePath);
    // The sample day has three deliberately bad rows: missing region, non-numeric price, negative quantity.
    expect(quarantined.map((cells) => cells.at(-1))).toEqual([
      expect.stringMatching(/missing region/),
      expect.stringMatching(/unit_price n\/a is not a number/),
      expect.stringMatching(/quantity -2 is not positive/),
    ]);
    const badIds = new Set(quarantined.map((cells) => cells[0]));
    const validIds = rawIds.filter((id) => !badIds.has(id)).sort();
    expect(validIds.length).toBe(rawIds.length - 3);
    expect(validIds.length).toBeGreaterThan(0);
    return { validIds, raw: await readFile(archived, "utf8"), quarantine: await readFile(quarantinePath, "utf8") };
  }

  it("loads exactly each day's valid rows into DuckDB, quarantines the bad ones and archives the raw file", async () => {
    const home = await freshHome();
    const day1 = await runDay(home, "2026-01-05");
    const day2 = await runDay(home, "2026-01-06");

    expect(await warehouseOrderIds(join(home, "examples", "sales"))).toEqual({
      "2026-01-05": day1.validIds,
      "2026-01-06": day2.validIds,
    });
  }, 300_000);

  it("re-running a day replaces that day's partition and leaves the other days alone", async () => {
    const home = await freshHome();
    const root = join(home, "examples", "sales");
    const first = await runDay(home, "2026-01-05");
    const other = await runDay(home, "2026-01-06");
    const before = await warehouseOrderIds(root);

    // The raw file is in archive/ now; the re-run replays it rather than loading twice.
    const again = await runDay(home, "2026-01-05");
    expect(again).toEqual(first);
    expect(await warehouseOrderIds(root)).toEqual(before);
    expect(before).toEqual({ "2026-01-05": first.validIds, "2026-01-06": other.validIds });
  }, 300_000);
});

describe("flaky_retry", () => {
  it("fails twice, succeeds on the third attempt, then runs the downstream task once", async () => {
    const run = await dagsTest(await freshHome(), "flaky_retry");
    expect(run.state).toBe("success");
    expect(task(run, "call_flaky_api")).toMatchObject({ state: "success", attempts: 3 });
    expect(task(run, "report")).toMatchObject({ state: "success", attempts: 1 });
  }, 180_000);
});

describe("branching", () => {
  it("takes the incremental path on an ordinary day and skips the full refresh", async () => {
    const run = await dagsTest(await freshHome(), "branching", { date: "2026-01-05" });
    expect(run.state).toBe("success");
    expect(states(run)).toEqual({
      choose_load: "success",
      full_refresh: "skipped",
      incremental_load: "success",
      join: "success",
      publish: "success",
    });
  }, 180_000);

  it("takes the full-refresh path on the first of the month", async () => {
    const run = await dagsTest(await freshHome(), "branching", { date: "2026-02-01" });
    expect(run.state).toBe("success");
    expect(states(run)).toMatchObject({ full_refresh: "success", incremental_load: "skipped", join: "success" });
  }, 180_000);

  it("follows params.refresh from --conf over the date rule", async () => {
    const run = await dagsTest(await freshHome(), "branching", { date: "2026-01-05", conf: { refresh: "full" } });
    expect(run.state).toBe("success");
    expect(states(run)).toMatchObject({ full_refresh: "success", incremental_load: "skipped", join: "success" });
  }, 180_000);
});

describe("failure_handling", () => {
  it("fails the run, still runs cleanup and raises the alert", async () => {
    const home = await freshHome();
    const run = await dagsTest(home, "failure_handling", { expectExit: 1 });
    expect(run.state).toBe("failed");
    // FailTask fails at once: one attempt.
    expect(task(run, "load_partner_feed")).toMatchObject({ state: "failed", attempts: 1 });
    expect(states(run)).toMatchObject({ publish: "upstream_failed", cleanup: "success", alert: "success" });

    const alerts = await readFile(join(home, "examples", "failure_handling", "alerts.log"), "utf8");
    expect(alerts).toContain(`ALERT dag=failure_handling run=${run.runId} task=load_partner_feed failed`);
  }, 180_000);
});

describe("hello", () => {
  it("greets with the default param and with one given in --conf", async () => {
    const home = await freshHome();
    for (const conf of [undefined, { name: "Ada Lovelace" }]) {
      const run = await dagsTest(home, "hello", conf ? { conf } : {});
      expect(run.state).toBe("success");
      expect(states(run)).toEqual({ greet: "success", shout: "success" });
    }
  }, 180_000);

  it("refuses a conf that fails the params schema before anything runs (exit 2)", async () => {
    const home = await freshHome();
    const args = ["dags", "test", "hello", "--dags", "examples/dags", "--home", home, "--json"];
    const { code, stdout, stderr } = await baton(home, [...args, "--conf", JSON.stringify({ name: "$(touch pwned)" })]);
    expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(2);
    expect(`${stdout}${stderr}`).toMatch(/name/);
    expect(existsSync(join(REPO, "pwned"))).toBe(false);
  }, 180_000);
});
