import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/index.js";
import { attempt, newRun, taskInstance } from "../../src/store/contract/fixtures.js";
import { baton, batonJson } from "./baton-cli.js";

let root: string;
let env: Record<string, string>;
let file: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-delete-"));
  mkdirSync(join(root, "dags"));
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags") };
  file = join(root, "dags", "etl.ts");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const GOOD = `import { dag } from "baton";\nexport default dag({ id: "etl" }, (d) => {\n  d.task("extract", () => 1);\n});\n`;
const BROKEN = `import { dag } from "baton";\nexport default dag({ id: "etl" }, (d) => {\n  const x = ;\n});\n`;
let tick = 0;
/** Writes the DAG file with a later mtime each time, so that every change is seen. */
function writeDag(text: string): void {
  writeFileSync(file, text);
  tick += 10;
  utimesSync(file, new Date(), new Date(Date.now() + tick * 1000));
}
const logDir = (runId: string) => join(root, "home", "logs", "dag_id=etl", `run_id=${runId}`);

/** Runs of etl (one task instance and attempt each) written straight into the database, with a log file each. */
async function seed(runs: { runId: string; state: "success" | "running" }[]): Promise<void> {
  const store = await openSqliteStore(join(root, "home", "baton.db"));
  try {
    const version = (await store.getDag("etl"))!.latestVersion;
    for (const r of runs) {
      const run = (await store.createRun(newRun("etl", r.runId, { dagVersion: version }), [taskInstance("extract")]))!;
      await store.commit({
        runs: [{ id: run.id, state: r.state, endedAt: r.state === "success" ? Date.now() : null }],
        attempts: [attempt(run.id, "extract", 1, { state: r.state })],
      });
      mkdirSync(join(logDir(r.runId), "task_id=extract"), { recursive: true });
      writeFileSync(join(logDir(r.runId), "task_id=extract", "attempt=1.log"), "hello\n");
    }
  } finally {
    await store.close();
  }
}

async function setState(runId: string, state: "success"): Promise<void> {
  const store = await openSqliteStore(join(root, "home", "baton.db"));
  try {
    const run = (await store.getRun("etl", runId))!;
    await store.commit({ runs: [{ id: run.id, state, endedAt: Date.now() }] });
  } finally {
    await store.close();
  }
}

type Listed = { dagId: string; importError: { file: string; line: number | null; message: string } | null };

describe("baton dags list / delete (the real binary)", () => {
  it("a DAG whose file breaks stays listed, marked; delete refuses active runs (exit 1), asks for --yes off a terminal, then deletes runs and logs; the fixed file brings it back", async () => {
    writeDag(GOOD);
    expect(batonJson<Listed[]>(await baton(["dags", "list", "--json"], env))).toEqual([expect.objectContaining({ dagId: "etl", importError: null })]);

    writeDag(BROKEN);
    const listed = batonJson<Listed[]>(await baton(["dags", "list", "--json"], env));
    expect(listed).toEqual([expect.objectContaining({ dagId: "etl", importError: expect.objectContaining({ file, line: 3 }) })]);
    const text = await baton(["dags", "list"], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^etl .* does not load \(etl\.ts:3\)$/m);
    expect(text.stdout).toContain(`! etl: file does not load: `);
    expect(text.stdout).toContain(`(${file}:3)`);

    await seed([
      { runId: "done", state: "success" },
      { runId: "going", state: "running" },
    ]);
    const unconfirmed = await baton(["dags", "delete", "etl"], env);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/without confirmation: pass --yes/);

    const busy = await baton(["dags", "delete", "etl", "--yes"], env);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/DAG "etl" has 1 active run\(s\): going \(running\); .*--force/);
    expect(existsSync(logDir("done"))).toBe(true);

    await setState("going", "success");
    const deleted = await baton(["dags", "delete", "etl", "--yes", "--json"], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(batonJson(deleted)).toMatchObject({ dagId: "etl", fileloc: file, runs: 2, taskInstances: 2, attempts: 2, versions: 1, cancelledRuns: [] });
    expect(existsSync(join(root, "home", "logs", "dag_id=etl"))).toBe(false);
    const audit = batonJson<{ action: string; targetId: string; details: Record<string, unknown> }[]>(await baton(["audit", "list", "--json"], env));
    expect(audit.find((e) => e.action === "dag.delete")).toMatchObject({
      targetType: "dag",
      targetId: "etl",
      dagId: "etl",
      details: { runs: 2, command: "dags delete" },
    });

    // The file still does not load: the DAG stays deleted. Once fixed, it is back, with no history.
    expect(batonJson<Listed[]>(await baton(["dags", "list", "--json"], env))).toEqual([]);
    writeDag(GOOD);
    expect(batonJson<Listed[]>(await baton(["dags", "list", "--json"], env))).toEqual([expect.objectContaining({ dagId: "etl", importError: null })]);
    expect(batonJson<unknown[]>(await baton(["runs", "list", "--json"], env))).toEqual([]);

    const unknown = await baton(["dags", "delete", "nope", "--yes"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown DAG "nope"; known DAGs: etl/);
  }, 120_000);
});
