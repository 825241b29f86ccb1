import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baton, batonJson, poll } from "../../../test/e2e/baton-cli.js";

// DAG files importing "baton/operators", run by the real binary (needs `npm run build`).
interface TaskJson {
  taskId: string;
  state: string;
  attempts: number;
  durationMs: number | null;
  error?: string;
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "baton-sensors-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const t = JSON.stringify;

function dagDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every log line written under the run's home so far. */
function logs(dir: string): string {
  const walk = (d: string): string[] =>
    existsSync(d)
      ? readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [readFileSync(join(d, e.name), "utf8")]))
      : [];
  return walk(join(dir, "home")).join("\n");
}

async function runDag(name: string, source: string) {
  const dir = dagDir(name);
  writeFileSync(join(dir, `${name}.ts`), source);
  const r = await baton(["dags", "test", name, "--dags", dir, "--home", join(dir, "home"), "--json", "--date", "2026-01-02"]);
  const out = batonJson<{ state: string; tasks: TaskJson[] }>(r);
  const recordFile = join(dir, "recorded.json");
  return {
    out,
    task: (id: string) => out.tasks.find((x) => x.taskId === id)!,
    recorded: existsSync(recordFile) ? JSON.parse(readFileSync(recordFile, "utf8")) : null,
    logs: logs(dir),
  };
}

const record = (name: string) => `(ctx, v) => { writeFileSync(${t(join(root, name, "recorded.json"))}, JSON.stringify({ ...v, now: Date.now() })); }`;

describe("sensors through the real binary", () => {
  it("fileSensor waits for a file created later, then hands its path downstream", async () => {
    const landing = join(root, "file_wait", "landing");
    const run = runDag(
      "file_wait",
      `import { dag } from "baton";
import { fileSensor } from "baton/operators";
import { writeFileSync } from "node:fs";
export default dag({ id: "file_wait" }, (d) => {
  const files = fileSensor(d, "landed", { pattern: ${t(`${landing}/{{ ds }}/*.csv`)}, pokeInterval: "200ms", timeout: "30s" });
  d.task("load", { inputs: { files } }, ${record("file_wait")});
});
`,
    );
    await poll(async () => (logs(dagDir("file_wait")).includes("poke 1: not yet") ? true : undefined));
    await new Promise((r) => setTimeout(r, 1000));
    mkdirSync(join(landing, "2026-01-02"), { recursive: true });
    writeFileSync(join(landing, "2026-01-02", "sales.csv"), "id\n1\n");
    const { out, task, recorded, logs: text } = await run;
    expect(out.state).toBe("success");
    expect(task("landed")).toMatchObject({ state: "success", attempts: 1 });
    expect(task("landed").durationMs).toBeGreaterThanOrEqual(1000);
    expect(recorded.files).toEqual([join(landing, "2026-01-02", "sales.csv")]);
    expect(text).toMatch(/poke 1: not yet \(0 of 1 file\(s\) match .*\/landing\/2026-01-02\/\*\.csv\); next poke in 200ms/);
    expect(text).toMatch(/poke \d+: done after \d/);
  });

  it("a sensor timing out fails at once, without retries; with softFail it is skipped and trigger rules decide", async () => {
    const pattern = t(join(root, "never", "*.csv"));
    const [hard, soft] = await Promise.all([
      runDag(
        "sensor_timeout",
        `import { dag } from "baton";
import { fileSensor } from "baton/operators";
export default dag({ id: "sensor_timeout" }, (d) => {
  const s = fileSensor(d, "wait", { pattern: ${pattern}, pokeInterval: "200ms", timeout: "1s", retries: 2, retryDelay: 10 });
  s.then(d.task("after", () => 1));
});
`,
      ),
      runDag(
        "sensor_soft",
        `import { dag } from "baton";
import { fileSensor } from "baton/operators";
export default dag({ id: "sensor_soft" }, (d) => {
  const s = fileSensor(d, "wait", { pattern: ${pattern}, pokeInterval: "200ms", timeout: "1s", softFail: true });
  s.then(d.task("needs_files", () => 1));
  s.then(d.task("report", { triggerRule: "none_failed" }, () => 2));
});
`,
      ),
    ]);
    expect(hard.out.state).toBe("failed");
    expect(hard.task("wait")).toMatchObject({ state: "failed", attempts: 1 });
    expect(hard.task("wait").error).toMatch(/sensor "wait" timed out after [\d.]+s \(timeout 1s, \d+ pokes; last: 0 of 1 file\(s\) match/);
    expect(hard.task("after").state).toBe("upstream_failed");

    expect(soft.out.state).toBe("success");
    expect(soft.task("wait").state).toBe("skipped");
    expect(soft.task("needs_files").state).toBe("skipped");
    expect(soft.task("report").state).toBe("success");
  });

  it("httpSensor pokes through 503s until a 200 and returns that response", async (t) => {
    let calls = 0;
    const server: Server = createServer((req, res) => {
      calls += 1;
      if (calls <= 2) res.writeHead(503).end("warming up");
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ready: true, path: req.url }));
    });
    const failure = await new Promise<string | null>((resolve) => {
      server.once("error", (e) => resolve(e.message));
      server.listen(0, "127.0.0.1", () => resolve(null));
    });
    if (failure) {
      console.warn(`skipping httpSensor test: cannot listen on 127.0.0.1: ${failure}`);
      return t.skip();
    }
    try {
      const base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      const {
        out,
        recorded,
        logs: text,
      } = await runDag(
        "http_wait",
        `import { dag } from "baton";
import { httpSensor } from "baton/operators";
import { writeFileSync } from "node:fs";
export default dag({ id: "http_wait" }, (d) => {
  const res = httpSensor(d, "api_up", { conn: "http://${base}", path: "/health/{{ ds }}", pokeInterval: "200ms", timeout: "30s",
    responseCheck: (r) => (r.body as { ready: boolean }).ready || "not ready" });
  d.task("use", { inputs: { res } }, ${record("http_wait")});
});
`,
      );
      expect(out.state).toBe("success");
      expect(calls).toBe(3);
      expect(recorded.res).toMatchObject({ status: 200, body: { ready: true, path: "/health/2026-01-02" } });
      expect(text).toMatch(/poke 1: not yet \(GET http:\/\/127\.0\.0\.1:\d+\/health\/2026-01-02 returned 503, expected 2xx\)/);
      expect(text).toMatch(/poke 3: done/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("sqlSensor waits until the first column of the first row is truthy, and returns that row", async () => {
    const file = join(dagDir("sql_wait"), "state.db");
    const db = new Database(file);
    db.exec("create table loads (day text, rows integer)");
    db.close();
    const run = runDag(
      "sql_wait",
      `import { dag } from "baton";
import { sqlSensor } from "baton/operators";
import { writeFileSync } from "node:fs";
export default dag({ id: "sql_wait" }, (d) => {
  const row = sqlSensor(d, "loaded", { conn: "sqlite://${file}", sql: "select count(*) as n, max(rows) as total from loads where day = ?", params: ["{{ ds }}"],
    pokeInterval: "200ms", timeout: "30s" });
  d.task("use", { inputs: { row } }, ${record("sql_wait")});
});
`,
    );
    await poll(async () => (logs(dagDir("sql_wait")).includes("poke 1: not yet (first value 0)") ? true : undefined));
    const writer = new Database(file);
    writer.prepare("insert into loads values (?, ?)").run("2026-01-01", 5);
    await new Promise((r) => setTimeout(r, 500));
    writer.prepare("insert into loads values (?, ?)").run("2026-01-02", 7);
    writer.close();
    const { out, recorded } = await run;
    expect(out.state).toBe("success");
    expect(recorded.row).toEqual({ n: 1, total: 7 });
  });

  it("dateTimeSensor waits until its target", async () => {
    const {
      out,
      task,
      recorded,
      logs: text,
    } = await runDag(
      "date_wait",
      `import { dag } from "baton";
import { dateTimeSensor } from "baton/operators";
import { writeFileSync } from "node:fs";
const target = new Date(Date.now() + 1000); // evaluated when the task's module loads
export default dag({ id: "date_wait" }, (d) => {
  const at = dateTimeSensor(d, "at", { target: () => target, pokeInterval: "200ms", timeout: "30s" });
  const past = dateTimeSensor(d, "past", { target: "{{ data_interval_end }}", pokeInterval: "200ms" });
  d.task("use", { inputs: { at, past } }, ${record("date_wait")});
});
`,
    );
    expect(out.state).toBe("success");
    expect(recorded.now).toBeGreaterThanOrEqual(Date.parse(recorded.at));
    expect(recorded.past).toBe("2026-01-02T00:00:00.000Z");
    expect(task("past").durationMs).toBeLessThan(1000);
    expect(text).toMatch(/poke 1: not yet \(\d+ms before /);
  });

  it("modes reschedule and deferred through `dags test`: one try each, the triggerer ends the deferred waits", async () => {
    const file = join(dagDir("mode_wait"), "state.db");
    const db = new Database(file);
    db.exec("create table loads (day text)");
    db.close();
    const run = runDag(
      "mode_wait",
      `import { dag } from "baton";
import { dateTimeSensor, sqlSensor } from "baton/operators";
import { writeFileSync } from "node:fs";
const target = new Date(Date.now() + 1500);
export default dag({ id: "mode_wait" }, (d) => {
  const later = dateTimeSensor(d, "later", { mode: "reschedule", target: () => target, pokeInterval: "300ms", timeout: "30s" });
  const deferred = dateTimeSensor(d, "deferred", { mode: "deferred", target: () => target, pokeInterval: "1h", timeout: "30s" });
  const row = sqlSensor(d, "loaded", { mode: "deferred", conn: "sqlite://${file}", sql: "select count(*) as n from loads where day = ?", params: ["{{ ds }}"], pokeInterval: "200ms", timeout: "30s" });
  d.task("use", { inputs: { later, deferred, row } }, ${record("mode_wait")});
});
`,
    );
    await poll(async () => (logs(dagDir("mode_wait")).includes("deferred: the triggerer checks from now on (sql)") ? true : undefined));
    const writer = new Database(file);
    writer.prepare("insert into loads values (?)").run("2026-01-02");
    writer.close();
    const { out, task, recorded, logs: text } = await run;
    expect(out.state).toBe("success");
    for (const id of ["later", "deferred", "loaded"]) expect(task(id)).toMatchObject({ state: "success", attempts: 1 });
    expect(recorded.row).toEqual({ n: 1 });
    expect(recorded.later).toBe(recorded.deferred);
    // The deferred date-time sensor woke at its target although its poke interval is an hour.
    expect(recorded.now).toBeGreaterThanOrEqual(Date.parse(recorded.deferred));
    expect(text).toMatch(/poke 1: not yet \(\d.* before .*\); rescheduled: next poke in \d+ms, the worker slot is free meanwhile/);
    expect(text).toMatch(/poke \d+: done after/);
    expect(text).toMatch(/triggerer: the check passed; the sensor succeeded/);
  });
});
