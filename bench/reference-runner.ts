/**
 * `--reference`: the SQLite reference of shared/reference/peer-benchmarks.md ("mini DAG + SQLite,
 * 3 writes/task, WAL, synchronous=FULL, batched tx per step"), run in the bench's own process on
 * the same machine, so Baton's figures can be read as a ratio to it.
 *
 * The runner is deliberately minimal: no-op async tasks run in this process, at most
 * {@link CONCURRENCY} at once. Each step takes up to that many ready tasks, runs them to the end
 * and then writes, in ONE transaction, their `success` rows, their attempt rows and the `queued`
 * rows of the tasks the next step will run — three row writes per task, every commit synced
 * inside COMMIT (`synchronous=FULL`, on the event loop). Creating the run (its row and one row per
 * task) is timed too, as in Baton's figures.
 */
import BetterSqlite3 from "better-sqlite3";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

/** Tasks running at once, as in the peer baselines. */
const CONCURRENCY = 4;

/** A DAG for the reference: task i's upstream task indexes. */
export interface ReferenceDag {
  tasks: number;
  upstream: (i: number) => readonly number[];
}

export const referenceDags = {
  chain: (n: number): ReferenceDag => ({ tasks: n, upstream: (i) => (i === 0 ? [] : [i - 1]) }),
  fanout: (n: number): ReferenceDag => ({ tasks: n, upstream: () => [] }),
  layered: (layers: number, width: number): ReferenceDag => ({
    tasks: layers * width,
    upstream: (i) => (i < width ? [] : Array.from({ length: width }, (_, k) => (Math.floor(i / width) - 1) * width + k)),
  }),
};

const SCHEMA = `
create table if not exists runs (id integer primary key, state text not null, started_at integer, ended_at integer);
create table if not exists task_instances (run_id integer not null, task_id integer not null, state text not null,
  updated_at integer not null, primary key (run_id, task_id));
create table if not exists attempts (run_id integer not null, task_id integer not null, try_number integer not null,
  state text not null, started_at integer, ended_at integer, primary key (run_id, task_id, try_number));
`;

/** A scratch database for the reference runs; `close()` removes it. */
export class ReferenceRunner {
  readonly #db: BetterSqlite3.Database;
  readonly #path: string;
  readonly #s: Record<"run" | "endRun" | "ti" | "state" | "attempt" | "begin" | "commit", BetterSqlite3.Statement>;
  #runs = 0;

  constructor(dir: string) {
    this.#path = join(dir, "reference.db");
    this.#db = new BetterSqlite3(this.#path);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    this.#db.exec(SCHEMA);
    this.#s = {
      run: this.#db.prepare("insert into runs (id, state, started_at) values (?, 'running', ?)"),
      endRun: this.#db.prepare("update runs set state = 'success', ended_at = ? where id = ?"),
      ti: this.#db.prepare("insert into task_instances (run_id, task_id, state, updated_at) values (?, ?, 'none', ?)"),
      state: this.#db.prepare("update task_instances set state = ?, updated_at = ? where run_id = ? and task_id = ?"),
      attempt: this.#db.prepare("insert into attempts (run_id, task_id, try_number, state, started_at, ended_at) values (?, ?, 1, 'success', ?, ?)"),
      begin: this.#db.prepare("begin immediate"),
      commit: this.#db.prepare("commit"),
    };
  }

  /** Runs `dag` once, from creating its run to the run's end being durable; resolves with the wall time in ms. */
  async run(dag: ReferenceDag): Promise<number> {
    const s = this.#s;
    const t0 = performance.now();
    const runId = ++this.#runs;
    const now = Date.now();
    s.begin.run();
    s.run.run(runId, now);
    for (let i = 0; i < dag.tasks; i++) s.ti.run(runId, i, now);
    s.commit.run();

    const pending = new Int32Array(dag.tasks);
    const downstream: number[][] = Array.from({ length: dag.tasks }, () => []);
    const ready: number[] = [];
    for (let i = 0; i < dag.tasks; i++) {
      const ups = dag.upstream(i);
      pending[i] = ups.length;
      for (const u of ups) downstream[u]!.push(i);
      if (ups.length === 0) ready.push(i);
    }
    const noop = async (): Promise<void> => {};
    let head = 0;
    let done = 0;
    const take = (): number[] => {
      const n = Math.min(CONCURRENCY, ready.length - head);
      head += n;
      return ready.slice(head - n, head);
    };
    // The first step's tasks are recorded queued before they run.
    let batch = take();
    this.#tx(() => {
      for (const t of batch) s.state.run("queued", Date.now(), runId, t);
    });
    while (batch.length > 0) {
      const started = Date.now();
      await Promise.all(batch.map(() => noop()));
      const ended = Date.now();
      for (const t of batch) for (const d of downstream[t]!) if (--pending[d]! === 0) ready.push(d);
      done += batch.length;
      const finished = batch;
      batch = take();
      const next = batch;
      this.#tx(() => {
        for (const t of finished) {
          s.state.run("success", ended, runId, t);
          s.attempt.run(runId, t, started, ended);
        }
        for (const t of next) s.state.run("queued", ended, runId, t);
        if (done === dag.tasks) s.endRun.run(ended, runId);
      });
    }
    if (done !== dag.tasks) throw new Error(`reference run ended with ${done} of ${dag.tasks} tasks done`);
    return performance.now() - t0;
  }

  #tx(write: () => void): void {
    this.#s.begin.run();
    try {
      write();
      this.#s.commit.run();
    } catch (e) {
      if (this.#db.inTransaction) this.#db.exec("rollback");
      throw e;
    }
  }

  close(): void {
    this.#db.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${this.#path}${suffix}`, { force: true });
  }
}

export interface ReferenceFigures {
  chainHopMs: number;
  fanoutTasksPerSec: number;
  layeredTotalMs: number;
  method: string;
}

/** One warm-up run per workload, then the median of `runs`, as the bench measures Baton. */
export async function measureReference(
  dir: string,
  runs: number,
  shape: { chain: number; fanout: number; layers: number; width: number },
): Promise<ReferenceFigures> {
  const runner = new ReferenceRunner(dir);
  try {
    const median = async (dag: ReferenceDag) => {
      await runner.run(dag);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await runner.run(dag));
      times.sort((a, b) => a - b);
      return times[Math.floor(times.length / 2)]!;
    };
    const chainMs = await median(referenceDags.chain(shape.chain));
    const fanoutMs = await median(referenceDags.fanout(shape.fanout));
    const layeredMs = await median(referenceDags.layered(shape.layers, shape.width));
    const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
    return {
      chainHopMs: round(chainMs / shape.chain, 3),
      fanoutTasksPerSec: Math.round(shape.fanout / (fanoutMs / 1000)),
      layeredTotalMs: round(layeredMs, 1),
      method: `in-process mini DAG runner (shared/reference/peer-benchmarks.md): no-op async tasks, concurrency ${CONCURRENCY}, SQLite WAL synchronous=FULL, 3 row writes per task in one transaction per step; median of ${runs} runs after a warm-up`,
    };
  } finally {
    runner.close();
  }
}
