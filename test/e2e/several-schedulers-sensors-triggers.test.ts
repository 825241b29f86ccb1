import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../../src/store/contract/postgres-test-databases.js";
import { BIN } from "./baton-cli.js";

/**
 * Issue 9: a deferred sensor and a file-arrival trigger keep working when the scheduler that
 * held them dies. Two `baton scheduler` processes on one PostgreSQL database; the owner of the
 * sensor's DAG is killed -9 while the sensor waits in its triggerer; the survivor adopts the
 * run, re-arms the wait, and the sensor succeeds when its file lands. A file dropped into the
 * watched folder after the kill starts exactly one run.
 */
const LEASE_MS = 3_000;
const procs: ChildProcess[] = [];
const outputs = new Map<ChildProcess, string>();
let dbs: PostgresTestDatabases | undefined;
let root = "";

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  await dbs?.dispose();
  if (root) rmSync(root, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("several schedulers on PostgreSQL: sensors and event triggers outlive their scheduler", () => {
  it("a deferred sensor's wait is adopted after kill -9, and a file after the kill starts one run", async (t) => {
    const down = await probePostgres(TEST_PG_URL);
    if (down !== undefined) {
      console.warn(`skipping: PostgreSQL at ${TEST_PG_URL} is unusable (${down})`);
      t.skip();
      return;
    }
    dbs = await PostgresTestDatabases.create(TEST_PG_URL);
    const url = await dbs.clone();
    root = mkdtempSync(join(tmpdir(), "baton-ha-sensors-"));
    const dags = join(root, "dags");
    const landing = join(root, "landing");
    const inbox = join(root, "inbox");
    for (const d of [dags, landing, inbox]) mkdirSync(d);
    writeFileSync(
      join(dags, "waits.ts"),
      `import { dag } from "baton";
import { fileSensor } from "baton/operators";
export default dag({ id: "waits" }, (d) => {
  const landed = fileSensor(d, "landed", { pattern: ${JSON.stringify(join(landing, "*.csv"))}, mode: "deferred", pokeInterval: "1s", timeout: "5m" });
  d.task("after", { after: landed }, () => "done");
});
`,
    );
    writeFileSync(
      join(dags, "arrivals.ts"),
      `import { dag, onFile } from "baton";
export default dag({ id: "arrivals", triggers: [onFile({ folder: ${JSON.stringify(inbox)}, pattern: "*.txt" })] }, (d) => {
  d.task("load", (ctx) => (ctx.conf.file as { name: string }).name);
});
`,
    );
    const start = (name: string) => {
      const p = spawn(process.execPath, [BIN, "scheduler", "--workers", "1"], {
        env: {
          ...process.env,
          BATON_HOME: join(root, name),
          BATON_DAGS: dags,
          BATON_DATABASE_URL: url,
          BATON_POLL_MS: "200",
          BATON_SCHEDULER_HEARTBEAT_MS: "300",
          BATON_SCHEDULER_LEASE_MS: String(LEASE_MS),
          BATON_LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      outputs.set(p, "");
      p.stdout!.on("data", (d: Buffer) => outputs.set(p, outputs.get(p)! + d.toString()));
      p.stderr!.on("data", (d: Buffer) => outputs.set(p, outputs.get(p)! + d.toString()));
      procs.push(p);
      return p;
    };
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const rows = async <T>(sql: string, args: unknown[] = []) => (await client.query(sql, args)).rows as T[];
    const until = async (what: string, pred: () => Promise<boolean>, ms = 60_000) => {
      const end = Date.now() + ms;
      while (!(await pred().catch(() => false))) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; outputs:\n${[...outputs.values()].map((o) => o.slice(-2000)).join("\n---\n")}`);
        await sleep(100);
      }
    };
    try {
      const a = start("a");
      const b = start("b");
      await until("both DAGs loaded and owned", async () => (await rows("select dag_id from dags where owner_id is not null")).length === 2);
      const trigger = spawn(process.execPath, [BIN, "dags", "trigger", "waits"], {
        env: { ...process.env, BATON_HOME: join(root, "a"), BATON_DATABASE_URL: url },
        stdio: "ignore",
      });
      await new Promise((r) => trigger.once("exit", r));
      await until("the sensor to defer", async () => (await rows("select 1 from task_instances where task_id = 'landed' and state = 'deferred'")).length === 1);

      const owner = (await rows<{ owner_id: string }>("select owner_id from dags where dag_id = 'waits'"))[0]!.owner_id;
      const pid = (await rows<{ pid: number }>("select pid from scheduler_leases where id = $1", [owner]))[0]!.pid;
      const victim = [a, b].find((p) => p.pid === pid)!;
      expect(victim).toBeDefined();
      victim.kill("SIGKILL");
      await until("the survivor to own both DAGs", async () => {
        const owners = await rows<{ owner_id: string }>("select distinct owner_id from dags");
        return owners.length === 1 && owners[0]!.owner_id !== owner;
      });

      // The file lands after the kill: only the survivor's triggerer can see it.
      writeFileSync(join(landing, "orders.csv"), "id\n1\n");
      writeFileSync(join(inbox, "one.txt"), "x");
      await until("the waiting run to succeed", async () => (await rows("select 1 from dag_runs where dag_id = 'waits' and state = 'success'")).length === 1);
      await until("the file's run to succeed", async () => (await rows("select 1 from dag_runs where dag_id = 'arrivals' and state = 'success'")).length === 1);
      await sleep(1_500);
      const arrivals = await rows<{ run_id: string }>("select run_id from dag_runs where dag_id = 'arrivals'");
      expect(arrivals).toHaveLength(1);
      const after = await rows<{ state: string }>(
        "select t.state from task_instances t join dag_runs r on r.id = t.run_pk where r.dag_id = 'waits' and t.task_id = 'after'",
      );
      expect(after.map((r) => r.state)).toEqual(["success"]);
    } finally {
      await client.end();
      for (const p of procs) {
        if (p.exitCode === null && p.signalCode === null) {
          p.kill("SIGTERM");
          await new Promise((r) => p.once("exit", r));
        }
      }
    }
  }, 180_000);
});
