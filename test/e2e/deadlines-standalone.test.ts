// Deadlines through the real binary (needs `npm run build`): `baton standalone` watches a run
// whose deadline passes while its task still runs, records the miss once, and the API lists it
// and flags the run; a run that finishes in time is not listed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { poll, startStandalone, stopProcess } from "./baton-cli.js";
import type { ChildProcess } from "node:child_process";

let root: string;
let env: Record<string, string>;
let proc: ChildProcess | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-deadlines-e2e-"));
  mkdirSync(join(root, "dags"));
  writeFileSync(
    join(root, "dags", "late.ts"),
    `import { dag } from "baton";
export default dag({ id: "late", deadline: { reference: "queuedAt", interval: "1s" } }, (d) => {
  d.task("slow", { expectedDuration: "1500ms" }, async () => { await new Promise((r) => setTimeout(r, 4000)); return 1; });
});
export const quick = dag({ id: "quick", deadline: { reference: "queuedAt", interval: "1h" } }, (d) => {
  d.task("fast", { expectedDuration: "1h" }, async () => 1);
});
`,
  );
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags"), BATON_POLL_MS: "100", BATON_WORKERS: "2", BATON_API_PORT: "0" };
});
afterEach(async () => {
  await stopProcess(proc);
  proc = undefined;
  rmSync(root, { recursive: true, force: true });
});

type Missed = { dagId: string; runId: string; taskId: string | null; tryNumber: number; deadline: string; dueAt: string; detectedAt: string };

describe("deadlines in baton standalone", () => {
  it("records a missed run deadline and a missed expected duration once each, while the run goes on; the API lists them and flags the run", async () => {
    const s = await startStandalone(env);
    proc = s.proc;
    const base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(s.output())![1]!;
    const post = (dagId: string) => fetch(`${base}/api/v1/dags/${dagId}/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    const late = (await (await post("late")).json()) as { runId: string };
    const quick = (await (await post("quick")).json()) as { runId: string };

    const missed = await poll(async () => {
      const body = (await (await fetch(`${base}/api/v1/deadlines/missed`)).json()) as { missed: Missed[] };
      return body.missed.length >= 2 ? body.missed : undefined;
    }, 20_000);
    expect(missed.map((m) => [m.dagId, m.runId, m.taskId, m.tryNumber, m.deadline]).sort()).toEqual(
      [
        ["late", late.runId, null, 0, "queuedAt + 1s"],
        ["late", late.runId, "slow", 1, "expectedDuration 1s500ms"],
      ].sort(),
    );
    // Detected while the run was still going.
    const run = (await (await fetch(`${base}/api/v1/dags/late/runs/${late.runId}`)).json()) as { state: string; deadlineMissed: boolean };
    expect(run.deadlineMissed).toBe(true);

    // Both runs finish; nothing more is recorded, and the run that finished in time has no miss.
    await poll(async () => {
      const r = (await (await fetch(`${base}/api/v1/dags/late/runs/${late.runId}`)).json()) as { state: string };
      return r.state === "success" ? r : undefined;
    }, 20_000);
    const quickRun = await poll(async () => {
      const r = (await (await fetch(`${base}/api/v1/dags/quick/runs/${quick.runId}`)).json()) as { state: string; deadlineMissed: boolean };
      return r.state === "success" ? r : undefined;
    }, 20_000);
    expect(quickRun.deadlineMissed).toBe(false);
    const after = (await (await fetch(`${base}/api/v1/deadlines/missed`)).json()) as { missed: Missed[] };
    expect(after.missed).toHaveLength(2);
    expect((await (await fetch(`${base}/api/v1/deadlines/missed?dagId=quick`)).json()) as { missed: Missed[] }).toEqual({ missed: [], nextCursor: null });
  });
});
