import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { baton, batonJson, poll, startStandalone, waitExit } from "./baton-cli.js";

const HEADER = `import { dag, task, shell, z } from "baton";\n`;
let root: string;
let dags: string;
let env: Record<string, string>;
let proc: ChildProcess | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-"));
  dags = join(root, "dags");
  mkdirSync(dags);
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: dags, BATON_POLL_MS: "100", BATON_WORKERS: "2", BATON_API_PORT: "0" };
});
afterEach(async () => {
  if (proc && proc.exitCode === null) {
    proc.kill("SIGKILL");
    await waitExit(proc).catch(() => {});
  }
  proc = undefined;
  rmSync(root, { recursive: true, force: true });
});

const GOOD = `${HEADER}export default dag({ id: "good", params: z.object({ n: z.number().int().min(1).default(2) }), tags: ["demo"] }, (d) => {
  const a = d.task("a", async (ctx) => { console.log("noise on stdout"); return ctx.params.n * 10; });
  const b = d.task("b", { inputs: { a } }, async (ctx, { a }) => { ctx.log.info("got", { a }); return a + 1; });
  b.then(d.shell("echo", { command: "echo run {{ run_id }} n={{ params.n }}" }));
});
`;
const FAILING = `${HEADER}export default dag({ id: "bad_run" }, () => { task("boom", async () => { throw new Error("kaput"); }); });\n`;
const BROKEN = `${HEADER}\nexport default dag({ id: "broken" }, () => {\n  const x = ;\n});\n`;

describe("baton CLI (the real binary)", () => {
  it("dags list shows valid DAGs and dags errors reports a broken file with file:line, without hiding the others", async () => {
    writeFileSync(join(dags, "good.ts"), GOOD);
    writeFileSync(join(dags, "broken.ts"), BROKEN);
    const list = batonJson<{ dagId: string; tags: string[]; paused: boolean }[]>(await baton(["dags", "list", "--json"], env));
    expect(list.map((d) => d.dagId)).toEqual(["good"]);
    expect(list[0]).toMatchObject({ tags: ["demo"], paused: false });
    const errors = batonJson<{ file: string; line: number; message: string }[]>(await baton(["dags", "errors", "--json"], env));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.file).toContain("broken.ts");
    expect(errors[0]!.line).toBe(4);
  });

  it("dags test runs a whole DAG with no set-up and prints the documented JSON; exit 0", async () => {
    writeFileSync(join(dags, "good.ts"), GOOD);
    const r = await baton(["dags", "test", "good", "--json", "--conf", '{"n": 3}'], env);
    expect(r.code).toBe(0);
    const out = batonJson<{ dagId: string; runId: string; state: string; tasks: { taskId: string; state: string; attempts: number; durationMs: number }[] }>(r);
    expect(out.dagId).toBe("good");
    expect(out.state).toBe("success");
    expect(typeof out.runId).toBe("string");
    expect(out.tasks.map((t) => [t.taskId, t.state, t.attempts])).toEqual([
      ["a", "success", 1],
      ["b", "success", 1],
      ["echo", "success", 1],
    ]);
    expect(out.tasks.every((t) => typeof t.durationMs === "number")).toBe(true);
  });

  it("dags test exits 1 when the run fails and 2 for an unknown DAG or invalid conf", async () => {
    writeFileSync(join(dags, "good.ts"), GOOD);
    writeFileSync(join(dags, "failing.ts"), FAILING);
    const failed = await baton(["dags", "test", "bad_run", "--json"], env);
    expect(failed.code).toBe(1);
    expect(batonJson<{ state: string }>(failed).state).toBe("failed");
    const unknown = await baton(["dags", "test", "nope"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown DAG "nope".*good/);
    const badConf = await baton(["dags", "test", "good", "--conf", '{"n": 0}'], env);
    expect(badConf.code).toBe(2);
    expect(badConf.stderr).toMatch(/n/);
    const notJson = await baton(["dags", "trigger", "good", "--conf", "{oops"], env);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/--conf is not valid JSON/);
    const badUsage = await baton(["dags", "test"], env);
    expect(badUsage.code).toBe(2);
  });

  it("standalone runs triggered runs, picks up a new DAG file without a restart, and stops gracefully on SIGTERM", async () => {
    writeFileSync(join(dags, "good.ts"), GOOD);
    const s = await startStandalone(env);
    proc = s.proc;
    const trig = await baton(["dags", "trigger", "good", "--conf", '{"n": 5}', "--json"], env);
    expect(trig.code).toBe(0);
    const { runId } = batonJson<{ runId: string }>(trig);
    const done = await poll(async () => {
      const runs = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", "good", "--json"], env));
      const r = runs.find((x) => x.runId === runId);
      return r && (r.state === "success" || r.state === "failed") ? r : undefined;
    });
    expect(done.state).toBe("success");
    const logs = await baton(["tasks", "logs", "good", runId, "echo"], env);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain("n=5");
    const bLog = await baton(["tasks", "logs", "good", runId, "b"], env);
    expect(bLog.stdout).toMatch(/INFO got.*"a":50/);

    // A new file is picked up by the running standalone (nobody else syncs here): its @once run happens.
    writeFileSync(
      join(dags, "later.ts"),
      `${HEADER}export default dag({ id: "later", schedule: "@once", startDate: "2026-01-01" }, () => { task("t", async () => 1); });\n`,
    );
    const later = await poll(async () => {
      const runs = batonJson<{ state: string }[]>(await baton(["runs", "list", "--dag", "later", "--json"], env));
      return runs[0]?.state === "success" ? runs[0] : undefined;
    });
    expect(later.state).toBe("success");

    proc.kill("SIGTERM");
    expect(await waitExit(proc)).toBe(0);
    expect(s.output()).toContain("Baton stopped");
  });

  it("refuses a second scheduler on the same database, and allows one after a crash", async () => {
    writeFileSync(join(dags, "good.ts"), GOOD);
    const first = await startStandalone(env);
    proc = first.proc;
    const second = await baton(["standalone"], env, 30_000);
    expect(second.code).not.toBe(0);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/another scheduler \(.+\) is running on this SQLite database; SQLite runs one scheduler per file/);
    proc.kill("SIGKILL");
    await waitExit(proc);
    const again = await startStandalone(env);
    proc = again.proc;
    expect(again.output()).toContain("Baton standalone is running");
  });

  it("standalone runs a DAG scheduled on a dataset after a producer task updates it", async () => {
    writeFileSync(
      join(dags, "producer.ts"),
      `${HEADER}export default dag({ id: "producer" }, (d) => { d.task("write", { outlets: ["warehouse://sales"] }, async () => 1); });\n`,
    );
    writeFileSync(
      join(dags, "consumer.ts"),
      `${HEADER}export default dag({ id: "consumer", schedule: { datasets: ["warehouse://sales"] } }, (d) => { d.task("read", async () => 2); });\n`,
    );
    const s = await startStandalone(env);
    proc = s.proc;
    expect((await baton(["dags", "trigger", "producer"], env)).code).toBe(0);
    const run = await poll(async () => {
      const runs = batonJson<{ runType: string; state: string }[]>(await baton(["runs", "list", "--dag", "consumer", "--json"], env));
      return runs[0]?.state === "success" ? runs[0] : undefined;
    });
    expect(run.runType).toBe("dataset");
  });

  it("dags backfill is run by the scheduler, not the CLI", async () => {
    writeFileSync(
      join(dags, "daily.ts"),
      `${HEADER}export default dag({ id: "daily", schedule: "@daily", startDate: "2026-03-01" }, () => { task("t", async (ctx) => ctx.ds); });\n`,
    );
    const r = await baton(["dags", "backfill", "daily", "--from", "2026-03-01", "--to", "2026-03-03", "--json"], env);
    expect(r.code).toBe(0);
    expect(batonJson<{ logicalDates: string[] }>(r).logicalDates).toHaveLength(3);
    // Nothing runs until a scheduler does.
    const before = batonJson<unknown[]>(await baton(["runs", "list", "--dag", "daily", "--json"], env));
    expect(before).toHaveLength(0);
    const s = await startStandalone(env);
    proc = s.proc;
    const runs = await poll(async () => {
      const rs = batonJson<{ state: string; runType: string; logicalDate: string }[]>(await baton(["runs", "list", "--dag", "daily", "--json"], env));
      const backfills = rs.filter((x) => x.runType === "backfill");
      return backfills.length === 3 && backfills.every((x) => x.state === "success") ? backfills : undefined;
    });
    expect(runs.map((x) => x.logicalDate.slice(0, 10)).sort()).toEqual(["2026-03-01", "2026-03-02", "2026-03-03"]);
  });

  it("tasks test runs one task in this process with given inputs, recording nothing", async () => {
    writeFileSync(join(dags, "good.ts"), GOOD);
    const r = await baton(["tasks", "test", "good", "b", "--inputs", '{"a": 41}', "--json"], env);
    expect(r.code).toBe(0);
    const out = batonJson<{ state: string; returnValue: unknown; log: string }>(r);
    expect(out.state).toBe("success");
    expect(out.returnValue).toBe(42);
    expect(out.log).toMatch(/INFO got.*"a":41/);
    const runs = batonJson<unknown[]>(await baton(["runs", "list", "--json"], env));
    expect(runs).toHaveLength(0);
    const failing = await baton(["tasks", "test", "good", "nope"], env);
    expect(failing.code).toBe(2);
    expect(failing.stderr).toMatch(/no task "nope".*a, b, echo/);
  });

  it("pause and unpause are recorded; db migrate is idempotent", async () => {
    writeFileSync(join(dags, "good.ts"), GOOD);
    expect((await baton(["dags", "pause", "good"], env)).code).toBe(0);
    let list = batonJson<{ paused: boolean }[]>(await baton(["dags", "list", "--json"], env));
    expect(list[0]!.paused).toBe(true);
    expect((await baton(["dags", "unpause", "good"], env)).code).toBe(0);
    list = batonJson<{ paused: boolean }[]>(await baton(["dags", "list", "--json"], env));
    expect(list[0]!.paused).toBe(false);
    expect((await baton(["dags", "pause", "missing"], env)).code).toBe(2);
    expect((await baton(["db", "migrate"], env)).code).toBe(0);
    expect((await baton(["db", "migrate"], env)).code).toBe(0);
  });
});
