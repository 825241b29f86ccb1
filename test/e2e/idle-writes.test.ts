import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, poll, startBaton, stopProcess } from "./baton-cli.js";

// Issue 13 ("Start fast"): an idle standalone committed ~12 SQLite transactions a second.
const COUNTER = join(ROOT, "test", "support", "count-sqlite-commits.mjs");
const WINDOW_MS = 12_000;

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

interface Counts {
  commits: number;
  byStatement: Record<string, number>;
}

describe("an idle baton standalone", () => {
  it("commits at most one SQLite transaction a second once its runs are done", async () => {
    const root = mkdtempSync(join(tmpdir(), "baton-idle-"));
    const dags = join(root, "dags");
    mkdirSync(dags);
    writeFileSync(
      join(dags, "tiny.ts"),
      `import { dag } from "baton";\nexport default dag({ id: "tiny", schedule: null }, (d) => {\n  d.task("a", () => 1).then(d.task("b", () => 2));\n});\n`,
    );
    const countsFile = join(root, "commits.json");
    const env = {
      BATON_HOME: join(root, "home"),
      BATON_DAGS: dags,
      BATON_API_PORT: "0",
      BATON_WORKERS: "1",
      BATON_COUNT_COMMITS_FILE: countsFile,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${COUNTER}`.trim(),
    };
    const s = await startBaton(["standalone"], env, "Baton standalone is running");
    stop = () => stopProcess(s.proc);
    const url = /UI and API at (http:\/\/\S+?)[,;]/.exec(s.output())![1]!;
    const counts = (): Counts => JSON.parse(readFileSync(countsFile, "utf8")) as Counts;

    // Some work first: a run of two tasks, to its end (what runs leave behind must not keep writing).
    const triggered = await fetch(`${url}/api/v1/dags/tiny/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(triggered.status).toBe(201);
    await poll(async () => {
      const { runs } = (await (await fetch(`${url}/api/v1/dags/tiny/runs`)).json()) as { runs: { state: string }[] };
      return runs.some((r) => r.state === "success") ? true : undefined;
    }, 60_000);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(counts().commits).toBeGreaterThan(0); // the counter sees this process's commits

    const before = counts();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const after = counts();
    const perSecond = (after.commits - before.commits) / (WINDOW_MS / 1000);
    const who = Object.entries(after.byStatement)
      .map(([sql, n]) => [sql, n - (before.byStatement[sql] ?? 0)] as const)
      .filter(([, n]) => n > 0);
    expect(perSecond, `idle commits by statement: ${JSON.stringify(who)}`).toBeLessThanOrEqual(1);
  }, 180_000);
});
