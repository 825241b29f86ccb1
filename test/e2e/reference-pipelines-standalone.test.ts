// `npm start` on a laptop without PostgreSQL or a broker: `baton standalone --dags examples/dags`
// loads every example, and the scheduled runs of the service-backed reference pipelines end
// skipped by their connections_configured gate instead of failing. No service needed.
import type { ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { poll, startStandalone, waitExit } from "./baton-cli.js";
import { tempHome } from "./reference-support.js";

const procs: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) {
    if (p.exitCode === null) {
      p.kill("SIGTERM");
      await waitExit(p).catch(() => p.kill("SIGKILL"));
    }
  }
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Run {
  runId: string;
  runType: string;
  state: string;
}

describe("reference pipelines under `baton standalone --dags examples/dags` without their connections", () => {
  it("are loaded, and their scheduled runs are skipped by the gate rather than failing", async () => {
    const home = await tempHome();
    cleanups.push(home.remove);
    const env: Record<string, string> = { BATON_HOME: home.path, BATON_DAGS: "examples/dags", BATON_API_PORT: "0", BATON_WORKERS: "2", BATON_POLL_MS: "100" };
    // No inherited connection may satisfy the gate.
    for (const k of Object.keys(process.env)) if (k.startsWith("BATON_CONN_")) env[k] = "";
    const s = await startStandalone(env);
    procs.push(s.proc);
    const base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(s.output())?.[1];
    expect(base, s.output()).toBeDefined();

    const dags = (await (await fetch(`${base}/api/v1/dags`)).json()) as { dags: { dagId: string }[] };
    expect(dags.dags.map((d) => d.dagId)).toEqual(expect.arrayContaining(["warehouse_etl_postgres", "streaming_ingest", "ml_train_deploy"]));

    for (const dagId of ["warehouse_etl_postgres", "streaming_ingest"]) {
      const run = await poll(async () => {
        const { runs } = (await (await fetch(`${base}/api/v1/dags/${dagId}/runs`)).json()) as { runs: Run[] };
        return runs.find((r) => r.runType === "scheduled" && ["success", "failed"].includes(r.state));
      }, 60_000);
      expect(run.state, `${dagId} ${run.runId}`).toBe("success");
      const { taskInstances } = (await (await fetch(`${base}/api/v1/dags/${dagId}/runs/${encodeURIComponent(run.runId)}/tasks`)).json()) as {
        taskInstances: { taskId: string; state: string }[];
      };
      const states = Object.fromEntries(taskInstances.map((t) => [t.taskId, t.state]));
      expect(states["connections_configured"]).toBe("success");
      expect(
        Object.entries(states)
          .filter(([id]) => id !== "connections_configured")
          .every(([, state]) => state === "skipped"),
        JSON.stringify(states),
      ).toBe(true);
    }
  }, 120_000);
});
