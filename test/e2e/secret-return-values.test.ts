import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { baton, batonJson, poll, startStandalone, stopProcess } from "./baton-cli.js";

// Regression for issue 8, item 2: a task returning a connection's password stored it in plain
// text in the database and showed it to every viewer as `returnValue`.
const ENV_PASSWORD = "env-Pa55w0rd-7f3a";
const STORE_PASSWORD = "store-Pa55w0rd-91c2";

const DAG = `import { dag } from "baton";
export default dag({ id: "secret_values" }, (d) => {
  const leak = d.task("leak", async (ctx) => {
    const c = await ctx.connection("wh");
    return { url: "postgres://u:" + c.password + "@h/db", pw: c.password, list: [c.password, { deep: "x" + c.password + "y" }], n: 1 };
  });
  const creds = d.task("creds", { sensitive: true }, async (ctx) => {
    const c = await ctx.connection("vault");
    return { user: c.login, pw: c.password };
  });
  d.task("use_leak", { inputs: { l: leak } }, (_ctx, { l }) => l.url);
  d.task("use_creds", { inputs: { c: creds } }, async (ctx, { c }) => {
    const conn = await ctx.connection("vault");
    if (c.pw !== conn.password) throw new Error("the downstream task did not receive the real value");
    return { user: c.user, length: c.pw.length };
  });
});
`;

let root: string;
let env: Record<string, string>;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-secret-values-"));
  mkdirSync(join(root, "dags"));
  writeFileSync(join(root, "dags", "secret_values.ts"), DAG);
  env = {
    BATON_HOME: join(root, "home"),
    BATON_DAGS: join(root, "dags"),
    BATON_API_PORT: "0",
    BATON_POLL_MS: "100",
    BATON_WORKERS: "1",
    BATON_CONN_WH: `postgres://u:${ENV_PASSWORD}@h/db`,
  };
  const add = await baton(["connections", "add", "vault", "--uri", `postgres://admin:${STORE_PASSWORD}@h2/db`], env);
  expect(add.code, add.stderr).toBe(0);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function expectNoPassword(text: string, where: string): void {
  expect(text, `${where} holds the env connection's password`).not.toContain(ENV_PASSWORD);
  expect(text, `${where} holds the stored connection's password`).not.toContain(STORE_PASSWORD);
}

describe("secrets in return values (the real binary)", () => {
  it("standalone: known secrets are masked in stored values, a sensitive value is encrypted at rest, hidden by the API and still reaches its downstream task", async () => {
    const s = await startStandalone(env);
    let runId: string;
    const bodies: Record<string, unknown> = {};
    try {
      const base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(s.output())?.[1];
      expect(base, s.output()).toBeDefined();
      runId = batonJson<{ runId: string }>(await baton(["dags", "trigger", "secret_values", "--json"], env)).runId;
      const state = await poll(async () => {
        const runs = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", "secret_values", "--json"], env));
        const run = runs.find((r) => r.runId === runId);
        return run && ["success", "failed"].includes(run.state) ? run.state : undefined;
      }, 60_000);
      for (const task of ["leak", "creds", "use_leak", "use_creds"]) {
        const res = await fetch(`${base}/api/v1/dags/secret_values/runs/${runId}/tasks/${task}`);
        const text = await res.text();
        expect(res.status, text).toBe(200);
        expectNoPassword(text, `the API's answer for ${task}`);
        bodies[task] = JSON.parse(text);
      }
      expect(state, JSON.stringify(bodies)).toBe("success");
      const list = await (await fetch(`${base}/api/v1/dags/secret_values/runs/${runId}/tasks`)).text();
      expectNoPassword(list, "the task list");
    } finally {
      await stopProcess(s.proc);
    }
    expect(bodies.leak).toMatchObject({
      state: "success",
      sensitive: false,
      returnValue: { url: "postgres://u:***@h/db", pw: "***", list: ["***", { deep: "x***y" }], n: 1 },
    });
    expect(bodies.use_leak).toMatchObject({ returnValue: "postgres://u:***@h/db" });
    expect(bodies.creds).toMatchObject({ state: "success", sensitive: true, returnValue: "***" });
    expect(bodies.use_creds).toMatchObject({ state: "success", sensitive: false, returnValue: { user: "admin", length: STORE_PASSWORD.length } });

    // Nothing on disk holds a password: the database (with its WAL) and the attempt logs.
    for (const file of ["baton.db", "baton.db-wal", "baton.db-shm"]) {
      const path = join(root, "home", file);
      if (existsSync(path)) expectNoPassword(readFileSync(path).toString("latin1"), file);
    }
    const logs = await baton(["tasks", "logs", "secret_values", runId!, "use_creds"], env);
    expectNoPassword(logs.stdout, "use_creds' log");
  }, 120_000);

  it("tasks test and dags test never print a secret; a sensitive value shows as *** and downstream still gets the real one", async () => {
    const creds = await baton(["tasks", "test", "secret_values", "creds", "--json"], env);
    expect(creds.code, creds.stderr).toBe(0);
    expectNoPassword(creds.stdout, "tasks test creds --json");
    expect(batonJson(creds)).toMatchObject({ state: "success", returnValue: "***", sensitive: true });
    const credsText = await baton(["tasks", "test", "secret_values", "creds"], env);
    expectNoPassword(credsText.stdout, "tasks test creds");
    expect(credsText.stdout).toContain("Return value: *** (sensitive)");

    const leak = await baton(["tasks", "test", "secret_values", "leak", "--json"], env);
    expectNoPassword(leak.stdout, "tasks test leak --json");
    expect(batonJson(leak)).toMatchObject({ returnValue: { url: "postgres://u:***@h/db", pw: "***" }, sensitive: false });

    const run = await baton(["dags", "test", "secret_values", "--json"], env);
    expectNoPassword(run.stdout + run.stderr, "dags test --json");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const tasks = batonJson<{ tasks: { taskId: string; state: string }[] }>(run).tasks;
    expect(Object.fromEntries(tasks.map((t) => [t.taskId, t.state]))).toEqual({ leak: "success", creds: "success", use_leak: "success", use_creds: "success" });
  }, 120_000);
});
