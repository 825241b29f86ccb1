import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baton, batonJson, poll, startStandalone, waitExit } from "../../../test/e2e/baton-cli.js";

// The real `baton` binary (needs `npx tsc -p tsconfig.build.json`): `dags test` triggers into the
// configured database, where `baton standalone` runs what was triggered.
const HEADER = `import { dag } from "baton";\nimport { triggerDag, externalTaskSensor } from "baton/operators";\n`;
const FILES: Record<string, string> = {
  "b.ts": `${HEADER}export default dag({ id: "b" }, (d) => { d.task("work", async (ctx) => ({ got: ctx.conf.n ?? null })); });\n`,
  "a_wait.ts": `${HEADER}export default dag({ id: "a_wait" }, (d) => {
  triggerDag(d, "go", { dagId: "b", conf: { n: 7 }, wait: true, pokeInterval: "200ms", retries: 0 });
});\n`,
  "a_nowait.ts": `${HEADER}export default dag({ id: "a_nowait" }, (d) => { triggerDag(d, "go", { dagId: "b", runId: "from_test_{{ ds_nodash }}", logicalDate: "{{ ts }}" }); });\n`,
  "c.ts": `${HEADER}export default dag({ id: "c" }, (d) => {
  externalTaskSensor(d, "b_done", { dagId: "b", logicalDateFn: () => new Date("2026-03-04T00:00:00Z"), pokeInterval: "200ms", timeout: "20s" });
});\n`,
};

let root: string;
let env: Record<string, string>;
let proc: ChildProcess | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "baton-cross-dag-"));
  const dags = join(root, "dags");
  mkdirSync(dags);
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dags, name), text);
  env = {
    BATON_HOME: join(root, "home"),
    BATON_DAGS: dags,
    BATON_API_PORT: String(await freePort()),
    BATON_WORKERS: "3",
    BATON_POLL_MS: "200",
    BATON_LOG_LEVEL: "warn",
  };
});
afterEach(async () => {
  if (proc && proc.exitCode === null) {
    proc.kill("SIGTERM");
    await waitExit(proc);
  }
  proc = undefined;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface DagTest {
  state: string;
  tasks: { taskId: string; state: string; error?: string }[];
}

describe("cross-DAG operators through the real binary", () => {
  it("dags test triggers into the configured database; wait needs a scheduler; standalone runs what was triggered", async () => {
    // The database knows the DAGs once something synced them (here `dags list`; standalone does it too).
    expect((await baton(["dags", "list", "--json"], env)).code).toBe(0);

    const noScheduler = batonJson<DagTest>(await baton(["dags", "test", "a_wait", "--json"], env));
    expect(noScheduler.state).toBe("failed");
    expect(noScheduler.tasks[0]!.error).toMatch(
      /run triggered__a_wait\.go__\S+ of DAG b is queued but no scheduler is serving this database \(no recent heartbeat\)/,
    );

    const fired = batonJson<DagTest>(await baton(["dags", "test", "a_nowait", "--json", "--date", "2026-03-04"], env));
    expect(fired).toMatchObject({ state: "success", tasks: [{ taskId: "go", state: "success" }] });
    const queued = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", "b", "--json"], env));
    expect(queued.find((r) => r.runId === "from_test_20260304")?.state).toBe("queued");

    // `tasks test` too (one task, nothing recorded about it, but the run it triggers is real).
    const one = batonJson<{ state: string }>(await baton(["tasks", "test", "a_nowait", "go", "--json", "--date", "2026-03-05"], env));
    expect(one.state).toBe("success");
    const runs = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", "b", "--json"], env));
    expect(runs.find((r) => r.runId === "from_test_20260305")?.state).toBe("queued");

    const s = await startStandalone(env);
    proc = s.proc;
    // The run `dags test` queued is run by standalone; a sensor in another `dags test` sees it.
    const sensed = batonJson<DagTest>(await baton(["dags", "test", "c", "--json"], env));
    expect(sensed, JSON.stringify(sensed)).toMatchObject({ state: "success", tasks: [{ taskId: "b_done", state: "success" }] });

    // A run of a_wait in standalone triggers b through the process pool and waits for it.
    const trig = batonJson<{ runId: string }>(await baton(["dags", "trigger", "a_wait", "--json"], env));
    const done = await poll(async () => {
      const runs = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", "a_wait", "--json"], env));
      const r = runs.find((x) => x.runId === trig.runId);
      return r && (r.state === "success" || r.state === "failed") ? r : undefined;
    });
    expect(done.state).toBe("success");
    const bRuns = batonJson<{ runId: string; state: string; conf?: unknown }[]>(await baton(["runs", "list", "--dag", "b", "--json"], env));
    expect(bRuns.find((r) => r.runId === `triggered__a_wait.go__${trig.runId}`)?.state).toBe("success");

    // With a scheduler serving the database, `dags test` can wait too.
    const waited = batonJson<DagTest>(await baton(["dags", "test", "a_wait", "--json"], env));
    expect(waited).toMatchObject({ state: "success", tasks: [{ taskId: "go", state: "success" }] });
  }, 120_000);
});
