// Issue 13: `baton db clean` deletes the DAG bundles nothing uses any more (no DAG's current
// version, no remaining run). A DAG file reverted afterwards to a version whose bundle was deleted
// gets it saved again by the DAG sync, so a remote worker can still fetch and run it.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite-store.js";
import { baton, batonJson, BIN, poll, ROOT, startStandalone, stopProcess } from "./baton-cli.js";

const version = (value: string) => `import { dag } from "baton";
export default dag({ id: "rev" }, (d) => {
  d.task("say", () => "${value}");
});
`;

let root: string;
let env: Record<string, string>;
const procs: ChildProcess[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-bundles-"));
  mkdirSync(join(root, "dags"));
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags"), BATON_API_PORT: "0", BATON_POLL_MS: "100", BATON_LOG_LEVEL: "info" };
});
afterEach(async () => {
  for (const p of procs.splice(0)) await stopProcess(p);
  rmSync(root, { recursive: true, force: true });
});

const bundleDir = () => join(root, "home", "bundles");
const bundleFiles = () =>
  readdirSync(bundleDir())
    .filter((f) => /^[0-9a-f]{64}\.mjs$/.test(f))
    .sort();

/** The sha256 of the bundle of DAG rev's current version, once the sync has saved `value`'s version. */
async function currentBundle(): Promise<string> {
  const store = await openSqliteStore(join(root, "home", "baton.db"));
  try {
    const dag = await store.getDag("rev");
    const v = dag ? await store.getDagVersion(dag.latestVersion) : undefined;
    return /([0-9a-f]{64})\.mjs$/.exec(v?.bundlePath ?? "")?.[1] ?? "";
  } finally {
    await store.close();
  }
}

/** Makes every stored bundle (rows and files) two hours old: past the clean's one-hour grace. */
async function ageBundles(): Promise<void> {
  const store = await openSqliteStore(join(root, "home", "baton.db"));
  const twoHoursAgo = Date.now() - 2 * 3_600_000;
  try {
    for (const f of bundleFiles()) {
      const hash = f.slice(0, 64);
      const code = await store.workers.getBundle(hash);
      if (code !== undefined) await store.workers.saveBundle(hash, code, twoHoursAgo); // a second save sets its time
      utimesSync(join(bundleDir(), f), twoHoursAgo / 1000, twoHoursAgo / 1000);
    }
  } finally {
    await store.close();
  }
}

describe("bundle retention (the real binary)", () => {
  it("db clean deletes unused bundles, keeps the current one; a file reverted to a cleaned version runs on a remote worker", { timeout: 180_000 }, async () => {
    const dagFile = join(root, "dags", "rev.ts");
    writeFileSync(dagFile, version("one"));
    const s1 = await startStandalone(env, ["--workers", "0"]);
    procs.push(s1.proc);
    const v1 = await poll(async () => (await currentBundle()) || undefined);
    writeFileSync(dagFile, version("two"));
    const v2 = await poll(async () => {
      const h = await currentBundle();
      return h !== "" && h !== v1 ? h : undefined;
    });
    await stopProcess(procs.pop());
    expect(bundleFiles()).toEqual([v1, v2].map((h) => `${h}.mjs`).sort());

    // Within the grace hour nothing goes; past it, v1's bundle (no run, not current) goes, v2's stays.
    const fresh = batonJson<{ bundles: number; bundleFiles: number }>(await baton(["db", "clean", "--older-than", "1d", "--json"], env));
    expect(fresh).toMatchObject({ bundles: 0, bundleFiles: 0 });
    await ageBundles();
    const cleaned = await baton(["db", "clean", "--older-than", "1d", "--json"], env);
    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect(batonJson(cleaned)).toMatchObject({ dryRun: false, runs: 0, bundles: 1, bundleFiles: 1 });
    expect(bundleFiles()).toEqual([`${v2}.mjs`]);
    const text = await baton(["db", "clean", "--older-than", "1d"], env);
    expect(text.stdout).toContain("Deleted 0 stored DAG bundles and 0 bundle files that no DAG's current version and no remaining run uses.");

    // Reverted to v1: the sync writes its bundle (file and row) again; a remote worker fetches and runs it.
    writeFileSync(dagFile, version("one"));
    const token = batonJson<{ token: string }>(await baton(["tokens", "create", "--worker", "--json"], env)).token;
    const s2 = await startStandalone(env, ["--workers", "0"]);
    procs.push(s2.proc);
    expect(await poll(async () => ((await currentBundle()) === v1 ? v1 : undefined))).toBe(v1);
    expect(existsSync(join(bundleDir(), `${v1}.mjs`))).toBe(true);
    const api = /UI and API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(s2.output())![1]!;
    const worker = spawn(
      process.execPath,
      [BIN, "worker", "--server", api, "--token", token, "--concurrency", "1", "--cache-dir", join(root, "worker-cache")],
      {
        cwd: ROOT,
        env: { ...process.env, BATON_LOG_LEVEL: "info" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    procs.push(worker);
    const runId = batonJson<{ runId: string }>(await baton(["dags", "trigger", "rev", "--json"], env)).runId;
    const run = await poll(async () => {
      const runs = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", "rev", "--json"], env));
      return runs.find((r) => r.runId === runId && ["success", "failed"].includes(r.state));
    }, 90_000);
    expect(run.state).toBe("success");
    const store = await openSqliteStore(join(root, "home", "baton.db"));
    try {
      const r = (await store.getRun("rev", runId))!;
      expect(r.dagVersion).toBe((await store.getDag("rev"))!.latestVersion);
      const ti = (await store.listTaskInstances(r.id)).find((t) => t.taskId === "say")!;
      expect(ti.output).toBe('"one"');
      expect((await store.listAttempts(r.id))[0]!.worker).not.toBeNull();
    } finally {
      await store.close();
    }
  });
});
