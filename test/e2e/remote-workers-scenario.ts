import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { expect } from "vitest";
import { BIN, ROOT, baton, poll } from "./baton-cli.js";

/**
 * Issue 11's fault scenario, shared by the loopback test and the network-namespace test: one
 * `baton scheduler --workers 0`, one `baton api` and two `baton worker`s on one PostgreSQL
 * database. A worker is cut off (its link down, or SIGSTOP on loopback) mid-attempt past the
 * lost time and comes back, another is killed -9 mid-attempt and replaced, and the API server is
 * restarted. Afterwards: every run terminal and successful, no try executed twice, every
 * execution recorded, the cut-off worker's late result refused.
 */
export interface Topology {
  /** The database URL for processes on `host`. */
  databaseUrl(host: string): string;
  /** The address the API server binds to and workers dial. */
  apiAddress: string;
  apiPort: number;
  spawn(host: string, argv: string[], env: Record<string, string>): ChildProcess;
  /** Cuts the host off the network (true) or brings it back (false). */
  isolate(host: string, cut: boolean, proc: ChildProcess): void;
}

export const LOST_MS = 3_000;
const RUNS = 6;

interface Proc {
  name: string;
  proc: ChildProcess;
  out: string;
}

export class RemoteScenario {
  readonly root = mkdtempSync(join(tmpdir(), "baton-remote-e2e-"));
  readonly dags = join(this.root, "dags");
  readonly marks = join(this.root, "marks.jsonl");
  readonly procs: Proc[] = [];
  #token = "";
  readonly #db: pg.Client;

  constructor(
    private readonly topo: Topology,
    private readonly adminUrl: string,
  ) {
    mkdirSync(this.dags);
    writeFileSync(join(this.dags, "remote_e2e.ts"), dagSource(this.marks));
    this.#db = new pg.Client({ connectionString: adminUrl });
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      BATON_HOME: join(this.root, "home"),
      BATON_DAGS: this.dags,
      BATON_SECRET_KEY: "remote-e2e-secret-key-0123456789abcdef",
      BATON_LOG_LEVEL: "info",
      BATON_POLL_MS: "200",
      ...extra,
    };
  }

  async setUp(): Promise<void> {
    await this.#db.connect();
    const env = { ...this.env(), BATON_DATABASE_URL: this.adminUrl };
    for (const args of [
      ["db", "migrate"],
      ["users", "create", "ops", "--role", "admin", "--password", "correct horse battery"],
    ]) {
      const r = await baton(args, env);
      expect(r.code, r.stderr).toBe(0);
    }
    const t = await baton(["tokens", "create", "--worker", "--queues", "default,gpu", "--json"], env);
    expect(t.code, t.stderr).toBe(0);
    this.#token = (JSON.parse(t.stdout) as { token: string }).token;
    expect(this.#token).toMatch(/^batonw_/);
  }

  start(name: string, host: string, args: string[], env: Record<string, string> = {}): Proc {
    const proc = this.topo.spawn(host, [process.execPath, BIN, ...args], { ...process.env, ...this.env(env) } as Record<string, string>);
    const p: Proc = { name, proc, out: "" };
    proc.stdout!.on("data", (d: Buffer) => (p.out += d.toString()));
    proc.stderr!.on("data", (d: Buffer) => (p.out += d.toString()));
    this.procs.push(p);
    return p;
  }

  startScheduler(): Proc {
    return this.start("scheduler", "sched", ["scheduler", "--workers", "0"], { BATON_DATABASE_URL: this.topo.databaseUrl("sched") });
  }

  startApi(): Proc {
    return this.start("api", "api", ["api", "--host", this.topo.apiAddress, "--port", String(this.topo.apiPort)], {
      BATON_DATABASE_URL: this.topo.databaseUrl("api"),
      BATON_WORKER_LOST_MS: String(LOST_MS),
      BATON_WORKER_HEARTBEAT_MS: "500",
    });
  }

  startWorker(name: string, host: string): Proc {
    return this.start(name, host, [
      "worker",
      "--server",
      `http://${this.topo.apiAddress}:${this.topo.apiPort}`,
      "--token",
      this.#token,
      "--queues",
      "default,gpu",
      "--concurrency",
      "2",
      "--name",
      name,
      "--cache-dir",
      join(this.root, `cache-${name}`),
    ]);
  }

  query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.#db.query<T>(sql, params).then((r) => r.rows);
  }

  async activeWorkers(): Promise<string[]> {
    return (await this.query<{ name: string }>("select name from workers where state = 'active' order by name")).map((r) => r.name);
  }

  /** A running attempt of `task` on the worker named `name`, or on any worker when null (its run_id, try and worker), once there is one. */
  runningOn(name: string | null, task: string, timeoutMs = 60_000): Promise<{ run_id: string; try_number: number; name: string }> {
    return poll(async () => {
      const rows = await this.query<{ run_id: string; try_number: number; name: string }>(
        `select r.run_id, a.try_number, w.name from task_attempts a join dag_runs r on r.id = a.run_pk join workers w on w.id = a.worker
         where a.state = 'running' and a.task_id = $1 and ($2::text is null or w.name = $2) order by w.name limit 1`,
        [task, name],
      );
      return rows[0];
    }, timeoutMs).catch(async (e: unknown) => {
      const attempts = await this.query(
        "select a.run_pk, a.task_id, a.try_number, a.state, a.worker, a.error from task_attempts a order by a.run_pk, a.task_id",
      );
      const mailbox = await this.query("select attempt_id, queue, state, worker_id, scheduler_id from remote_attempts");
      const workers = await this.query("select id, name, state, queues, running from workers");
      throw new Error(`no attempt of ${task} running on ${name}: ${String(e)}\n${JSON.stringify({ attempts, mailbox, workers }, null, 1)}\n${this.outputs()}`);
    });
  }

  async trigger(): Promise<void> {
    const env = { ...this.env(), BATON_DATABASE_URL: this.adminUrl };
    for (let i = 0; i < RUNS; i++) {
      const r = await baton(["dags", "trigger", "remote_e2e", "--run-id", `r${i}`], env);
      expect(r.code, r.stderr).toBe(0);
    }
  }

  async allTerminal(timeoutMs: number): Promise<{ run_id: string; state: string }[]> {
    return poll(async () => {
      const rows = await this.query<{ run_id: string; state: string }>("select run_id, state from dag_runs where dag_id = 'remote_e2e' order by run_id");
      return rows.length === RUNS && rows.every((r) => r.state === "success" || r.state === "failed") ? rows : undefined;
    }, timeoutMs).catch((e: unknown) => {
      throw new Error(`runs not terminal: ${String(e)}\n${this.outputs()}`);
    });
  }

  marks_(): { run: string; task: string; try: number; what: string }[] {
    if (!existsSync(this.marks)) return [];
    return readFileSync(this.marks, "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { run: string; task: string; try: number; what: string });
  }

  /** No try started twice; every start has an attempt record. */
  async checkAccounting(): Promise<void> {
    const starts = this.marks_().filter((m) => m.what === "start");
    const seen = new Map<string, number>();
    for (const s of starts) seen.set(`${s.run}/${s.task}/${s.try}`, (seen.get(`${s.run}/${s.task}/${s.try}`) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
    expect(twice, "tries executed twice").toEqual([]);
    const recorded = new Set(
      (
        await this.query<{ k: string }>(
          "select r.run_id || '/' || a.task_id || '/' || a.try_number as k from task_attempts a join dag_runs r on r.id = a.run_pk where r.dag_id = 'remote_e2e'",
        )
      ).map((r) => r.k),
    );
    const unaccounted = [...seen.keys()].filter((k) => !recorded.has(k));
    expect(unaccounted, "executions without an attempt record").toEqual([]);
  }

  outputs(): string {
    return this.procs.map((p) => `--- ${p.name} (exit ${p.proc.exitCode ?? p.proc.signalCode ?? "running"}) ---\n${p.out.slice(-3000)}`).join("\n");
  }

  async dispose(): Promise<void> {
    for (const p of this.procs) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill("SIGKILL");
    await Promise.all(this.procs.map((p) => (p.proc.exitCode === null && p.proc.signalCode === null ? new Promise((r) => p.proc.once("exit", r)) : undefined)));
    await this.#db.end().catch(() => {});
    rmSync(this.root, { recursive: true, force: true });
  }

  /** The whole scenario. */
  async run(): Promise<void> {
    await this.setUp();
    this.startScheduler();
    const api = this.startApi();
    await poll(async () => (api.out.includes("Baton API is running") ? true : undefined), 30_000).catch(() => {
      throw new Error(`API did not start:\n${this.outputs()}`);
    });
    const workers = new Map([
      ["w1", this.startWorker("w1", "w1")],
      ["w2", this.startWorker("w2", "w2")],
    ]);
    await poll(async () => ((await this.activeWorkers()).length === 2 ? true : undefined), 30_000).catch(() => {
      throw new Error(`workers did not connect:\n${this.outputs()}`);
    });
    await this.trigger();

    // 1. The worker running a slow attempt is cut off past the lost time, then back: its attempt is
    //    failed as lost and retried elsewhere; its late result is refused.
    const cut = await this.runningOn(null, "slow");
    const victim = cut.name;
    const other = victim === "w1" ? "w2" : "w1";
    this.topo.isolate(victim, true, workers.get(victim)!.proc);
    await poll(async () => ((await this.query("select 1 from workers where name = $1 and state = 'lost'", [victim])).length ? true : undefined), LOST_MS * 4);
    await new Promise((r) => setTimeout(r, 3_000)); // the slow task finishes while cut off
    this.topo.isolate(victim, false, workers.get(victim)!.proc);

    // 2. The other worker killed -9 mid-attempt and replaced.
    await this.runningOn(other, "slow").catch(() => undefined);
    workers.get(other)!.proc.kill("SIGKILL");
    this.startWorker(`${other}b`, other);

    // 3. The API server restarted: workers reconnect.
    api.proc.kill("SIGKILL");
    await new Promise((r) => api.proc.once("exit", r));
    this.startApi();

    const runs = await this.allTerminal(150_000);
    expect(
      runs.filter((r) => r.state !== "success"),
      this.outputs(),
    ).toEqual([]);
    await this.checkAccounting();

    // The cut attempt ended as lost, although its code finished: the late success was refused.
    const [lost] = await this.query<{ state: string; error: string }>(
      "select a.state, a.error from task_attempts a join dag_runs r on r.id = a.run_pk where r.run_id = $1 and a.task_id = 'slow' and a.try_number = $2",
      [cut.run_id, cut.try_number],
    );
    expect(lost?.state, this.outputs()).toBe("failed");
    expect(lost?.error).toMatch(/lost/);
    expect(this.marks_().some((m) => m.run === cut.run_id && m.task === "slow" && m.try === cut.try_number && m.what === "end")).toBe(true);
    // Every attempt ran on a remote worker.
    const local = await this.query(
      "select 1 from task_attempts a join dag_runs r on r.id = a.run_pk where r.dag_id = 'remote_e2e' and a.worker is null and a.state <> 'queued'",
    );
    expect(local.length).toBe(0);
  }
}

function dagSource(marks: string): string {
  return `import { dag } from "baton";
import { appendFileSync } from "node:fs";
const mark = (ctx: { runId: string; taskId: string; tryNumber: number }, what: string) =>
  appendFileSync(${JSON.stringify(marks)}, JSON.stringify({ run: ctx.runId, task: ctx.taskId, try: ctx.tryNumber, what }) + "\\n");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export default dag({ id: "remote_e2e", defaults: { retries: 3, retryDelay: "1s" } }, (d) => {
  const slow = d.task("slow", { queue: "gpu" }, async (ctx) => { mark(ctx, "start"); await sleep(5000); mark(ctx, "end"); return 5; });
  const parts = [0, 1, 2, 3].map((i) => d.task("part" + i, async (ctx) => { mark(ctx, "start"); await sleep(300); mark(ctx, "end"); return i; }));
  d.task("total", { inputs: { slow, a: parts[0]!, b: parts[1]!, c: parts[2]!, e: parts[3]! } }, (ctx, x) => {
    mark(ctx, "start");
    const sum = x.slow + x.a + x.b + x.c + x.e;
    mark(ctx, "end");
    return sum;
  });
});
`;
}

export { ROOT, spawn };
