import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../../src/store/contract/postgres-test-databases.js";
import { BIN } from "./baton-cli.js";

/**
 * Issue 9: several `baton scheduler` processes on one PostgreSQL database, with one killed -9
 * mid-way, one paused (kill -STOP) past its lease then resumed, and the killed one restarted.
 * Every task appends `start`/`end` lines (pid, try) to a file; afterwards every run succeeded,
 * none was lost, every execution has an attempt record and no (run, task, try) ran twice. Task "a" of every DAG uses one pool of 2 slots: never more than
 * 2 of them run at once across all schedulers (pool slot grants; each scheduler has 3 workers, so
 * without grants up to 6 would: seen 6). Scale with BATON_CHAOS_RUNS (default 200; the issue's full size is 1,000).
 */
const RUNS = Number(process.env.BATON_CHAOS_RUNS ?? 200);
const DAGS = 8;
const LEASE_MS = 3_000;
const procs = new Map<string, ChildProcess>();
const outputs = new Map<string, string>();
let dbs: PostgresTestDatabases | undefined;
let root = "";

afterAll(async () => {
  for (const p of procs.values()) {
    if (p.pid && p.exitCode === null) {
      try {
        process.kill(p.pid, "SIGCONT");
      } catch {}
      p.kill("SIGKILL");
    }
  }
  await dbs?.dispose();
  if (root) rmSync(root, { recursive: true, force: true });
});

function dagFile(i: number, start: string, end: string, execLog: string): string {
  const body = `async (ctx) => {
    const fs = await import("node:fs");
    const line = (what) => fs.appendFileSync(${JSON.stringify(execLog)}, JSON.stringify({ what, dag: ctx.dagId, run: ctx.runId, task: ctx.taskId, try: ctx.tryNumber, pid: process.pid, at: Date.now() }) + "\\n");
    line("start");
    await new Promise((r) => setTimeout(r, 40));
    line("end");
  }`;
  return `import { dag } from "baton";
export default dag({ id: "chaos_${i}", schedule: "* * * * *", startDate: "${start}", endDate: "${end}", catchup: true, maxActiveRuns: 4 }, (d) => {
  const a = d.task("a", { retries: 5, retryDelay: "1s", pool: "chaos_a" }, ${body});
  d.task("b", { retries: 5, retryDelay: "1s", after: a }, ${body});
});
`;
}

function startScheduler(name: string, env: Record<string, string>): ChildProcess {
  const p = spawn(process.execPath, [BIN, "scheduler", "--workers", "3"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  outputs.set(name, outputs.get(name) ?? "");
  const add = (d: Buffer) => outputs.set(name, outputs.get(name)! + d.toString());
  p.stdout!.on("data", add);
  p.stderr!.on("data", add);
  procs.set(name, p);
  return p;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("several schedulers on PostgreSQL (chaos)", () => {
  it(`${RUNS} runs across 3 schedulers: one killed -9 and restarted, one paused past its lease: all succeed, nothing twice, all accounted`, async (t) => {
    const down = await probePostgres(TEST_PG_URL);
    if (down !== undefined) {
      console.warn(`skipping the several-schedulers chaos test: PostgreSQL at ${TEST_PG_URL} is unusable (${down})`);
      t.skip();
      return;
    }
    dbs = await PostgresTestDatabases.create(TEST_PG_URL);
    const url = await dbs.clone();
    root = mkdtempSync(join(tmpdir(), "baton-chaos-"));
    const dags = join(root, "dags");
    mkdirSync(dags);
    const execLog = join(root, "executions.jsonl");
    const perDag = Math.ceil(RUNS / DAGS);
    const minute = 60_000;
    const startMs = Math.floor(Date.now() / minute) * minute - (perDag + 1) * minute;
    const endMs = startMs + (perDag - 1) * minute;
    for (let i = 0; i < DAGS; i++)
      writeFileSync(join(dags, `chaos_${i}.ts`), dagFile(i, new Date(startMs).toISOString(), new Date(endMs).toISOString(), execLog));
    const env = (name: string) => ({
      BATON_HOME: join(root, name),
      BATON_DAGS: dags,
      BATON_DATABASE_URL: url,
      BATON_POLL_MS: "100",
      BATON_SCHEDULER_HEARTBEAT_MS: "300",
      BATON_SCHEDULER_LEASE_MS: String(LEASE_MS),
      BATON_LOG_LEVEL: "warn",
    });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const count = async (sql: string) => Number((await client.query(sql)).rows[0].n);
    await client.query("insert into pools (name, slots, description) values ('chaos_a', 2, 'chaos test: global limit')");
    try {
      const a = startScheduler("a", env("a"));
      startScheduler("b", env("b"));
      const c = startScheduler("c", env("c"));
      const total = perDag * DAGS;
      const succeeded = () => count("select count(*) as n from dag_runs where state = 'success'");
      const until = async (pred: () => Promise<boolean>, ms: number, what: string) => {
        const end = Date.now() + ms;
        while (!(await pred())) {
          if (Date.now() > end)
            throw new Error(`timed out waiting for ${what}; outputs:\n${[...outputs].map(([k, v]) => `--- ${k}\n${v.slice(-3000)}`).join("\n")}`);
          await sleep(100);
        }
      };
      await until(async () => (await succeeded()) >= total / 5, 90_000, "a fifth of the runs");

      // kill -9 one scheduler; measure until its DAGs make progress again under another.
      const owned = (await client.query("select dag_id from dag_runs where state = 'running' limit 1")).rows as { dag_id: string }[];
      a.kill("SIGKILL");
      const killedAt = Date.now();
      const doneBefore = await succeeded();
      const leaseA = (await client.query("select id from scheduler_leases where pid = $1", [a.pid])).rows[0]?.id as string | undefined;
      await until(
        async () => (await count(`select count(*) as n from scheduler_leases where id = '${leaseA}' and fenced_at is not null`)) === 1,
        30_000,
        "the killed scheduler to be fenced",
      );
      await until(async () => (await count("select count(*) as n from dags where owner_id is null")) === 0, 30_000, "its DAGs to be adopted");
      await until(async () => (await succeeded()) > doneBefore + DAGS, 30_000, "progress after the kill");
      const takeoverMs = Date.now() - killedAt;
      console.log(`take-over after kill -9: ${takeoverMs} ms (lease ${LEASE_MS} ms); a run was running on ${owned[0]?.dag_id}`);

      // Pause another past its lease, then let it go on: it must find itself fenced and exit.
      process.kill(c.pid!, "SIGSTOP");
      await sleep(LEASE_MS * 2 + 1_000);
      process.kill(c.pid!, "SIGCONT");
      const cExit = await new Promise<number | null>((res) => (c.exitCode !== null ? res(c.exitCode) : c.once("exit", (code) => res(code))));
      expect(cExit).toBe(75);
      expect(outputs.get("c")).toContain("fenced: another scheduler adopted my work; exiting");

      // Restart the killed one (a new lease) and let everything finish.
      startScheduler("a2", env("a"));
      await until(async () => (await succeeded()) === total, 150_000, "every run to succeed");

      expect(await count("select count(*) as n from dag_runs")).toBe(total);
      expect(await count("select count(*) as n from dag_runs where state <> 'success'")).toBe(0);
      expect(await count("select count(*) as n from task_instances where state <> 'success'")).toBe(0);

      const lines = readFileSync(execLog, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { what: string; dag: string; run: string; task: string; try: number; pid: number });
      const starts = lines.filter((l) => l.what === "start");
      const ends = lines.filter((l) => l.what === "end");
      const key = (l: { dag: string; run: string; task: string; try: number }) => `${l.dag}/${l.run}/${l.task}/${l.try}`;
      const startedTwice = starts.map(key).filter((k, i, all) => all.indexOf(k) !== i);
      const taskKey = (l: { dag: string; run: string; task: string }) => `${l.dag}/${l.run}/${l.task}`;
      const completedTwice = ends.map(taskKey).filter((k, i, all) => all.indexOf(k) !== i);
      const attempts = new Set(
        (await client.query("select r.dag_id, r.run_id, a.task_id, a.try_number from task_attempts a join dag_runs r on r.id = a.run_pk")).rows.map(
          (r: { dag_id: string; run_id: string; task_id: string; try_number: number }) => `${r.dag_id}/${r.run_id}/${r.task_id}/${r.try_number}`,
        ),
      );
      const unaccounted = starts.map(key).filter((k) => !attempts.has(k));
      console.log(
        `chaos: ${total} runs, ${starts.length} executions (${ends.length} completed), ${startedTwice.length} tries started twice, ` +
          `${completedTwice.length} tasks completed twice, ${unaccounted.length} executions without an attempt record`,
      );
      expect(unaccounted).toEqual([]);
      // Pool "chaos_a" (2 slots) holds across schedulers. An execution killed with its scheduler
      // logged no end: it counts until its scheduler was fenced at the latest (its grants with it),
      // so it is left out rather than guessed.
      const ended = new Set(ends.map((l) => `${key(l)}/${l.pid}`));
      const poolSpans = lines.filter((l) => l.task === "a" && ended.has(`${key(l)}/${l.pid}`)) as unknown as { what: string; at: number }[];
      const sorted = [...poolSpans].sort((x, y) => x.at - y.at || (x.what === "end" ? -1 : 1));
      let running = 0;
      let mostAtOnce = 0;
      for (const l of sorted) mostAtOnce = Math.max(mostAtOnce, (running += l.what === "start" ? 1 : -1));
      console.log(`chaos: pool "chaos_a" (2 slots): at most ${mostAtOnce} of its tasks ran at once`);
      expect(mostAtOnce).toBeLessThanOrEqual(2);
      // An attempt reaches a worker only once its `queued` state is durable: a lost or fenced
      // scheduler's adopter knows every try it handed out and never runs one again.
      expect(startedTwice).toEqual([]);
      // A task whose success was not yet durable when its scheduler died runs again, as a new
      // try (both recorded); `completedTwice` counts those, printed above.
    } finally {
      await client.end();
      for (const [name, p] of procs) {
        if (p.exitCode === null && p.signalCode === null) {
          p.kill("SIGTERM");
          await new Promise((r) => p.once("exit", r));
        }
        if (existsSync(join(root, name))) continue;
      }
    }
  }, 300_000);
});
