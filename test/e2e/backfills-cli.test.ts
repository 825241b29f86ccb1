import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRun } from "../../src/scheduler/run-factory.js";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite-store.js";
import { baton, batonJson } from "./baton-cli.js";

// `baton backfills list` (issue 12): the real binary on a temp BATON_HOME; runs are written
// through the store as the scheduler would, so the progress is known.
const HOURLY = `import { dag } from "baton";\nexport default dag({ id: "hourly", schedule: "0 * * * *", startDate: "2025-01-01" }, (d) => {\n  d.task("a", async () => 1);\n});\n`;

let root: string;
let env: Record<string, string>;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-backfills-"));
  mkdirSync(join(root, "dags"));
  writeFileSync(join(root, "dags", "hourly.ts"), HOURLY);
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags") };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Listed = {
  id: number;
  dagId: string;
  from: string;
  to: string;
  reprocess: string;
  maxActiveRuns: number;
  state: string;
  progress: Record<string, number>;
};

describe("baton backfills list", () => {
  it("lists backfills newest first with their runs by state, as JSON and as a table, filtered by --dag", async () => {
    expect((await baton(["backfills", "list"], env)).stdout).toBe("(none)\n");
    for (const args of [
      ["--from", "2025-01-01", "--to", "2025-01-01T02:00Z"],
      ["--from", "2025-02-01", "--to", "2025-02-01T00:00Z", "--reprocess", "failed", "--max-active-runs", "3"],
    ]) {
      const r = await baton(["dags", "backfill", "hourly", ...args], env);
      expect(r.code, r.stderr).toBe(0);
    }
    const store = await openSqliteStore(join(env.BATON_HOME!, "baton.db"));
    const dag = (await store.getDag("hourly"))!;
    const version = (await store.getDagVersion(dag.latestVersion))!;
    const hour = 3_600_000;
    for (const [i, state] of [
      [0, "success"],
      [1, "failed"],
      [2, "running"],
    ] as const) {
      const at = Date.UTC(2025, 0, 1) + i * hour;
      const { run, tis } = buildRun({
        version,
        runType: "backfill",
        interval: { logicalDate: at, dataIntervalStart: at, dataIntervalEnd: at + hour, runAfter: at + hour },
        backfillId: 1,
        now: Date.now(),
      });
      const created = (await store.createRun(run, tis))!;
      await store.commit({ runs: [{ id: created.id, state }] });
    }
    await store.close();

    const listed = batonJson<Listed[]>(await baton(["backfills", "list", "--json"], env));
    expect(listed.map((b) => b.id)).toEqual([2, 1]);
    expect(listed[0]).toMatchObject({
      dagId: "hourly",
      from: "2025-02-01T00:00:00.000Z",
      reprocess: "failed",
      maxActiveRuns: 3,
      state: "queued",
      progress: { total: 0 },
    });
    expect(listed[1]).toMatchObject({
      from: "2025-01-01T00:00:00.000Z",
      to: "2025-01-01T02:00:00.000Z",
      reprocess: "none",
      progress: { total: 3, success: 1, failed: 1, running: 1, queued: 0 },
    });
    const table = (await baton(["backfills", "list"], env)).stdout;
    expect(table.split("\n")[0]).toMatch(/^id\s+dagId\s+state\s+range\s+reprocess\s+maxActiveRuns\s+progress\s+createdAt$/);
    expect(table).toMatch(/1\s+hourly\s+queued\s+2025-01-01T00:00:00.000Z – 2025-01-01T02:00:00.000Z\s+none\s+16\s+2\/3 \(1 running, 1 failed\)/);
    expect(batonJson<Listed[]>(await baton(["backfills", "list", "--dag", "other", "--json"], env))).toEqual([]);
    expect(batonJson<Listed[]>(await baton(["backfills", "list", "--dag", "hourly", "--json"], env))).toHaveLength(2);
  }, 120_000);
});

describe("baton backfills pause / unpause", () => {
  it("pauses and unpauses (idempotently, audited), shows it in backfills list; exit 2 for a bad or unknown id and a backfill that ended", async () => {
    const created = await baton(["dags", "backfill", "hourly", "--from", "2025-03-01", "--to", "2025-03-01T01:00Z"], env);
    expect(created.code, created.stderr).toBe(0);
    const id = String(Math.max(...batonJson<Listed[]>(await baton(["backfills", "list", "--json"], env)).map((b) => b.id)));

    const paused = await baton(["backfills", "pause", id], env);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toBe(`Backfill ${id} of hourly paused: the scheduler starts none of its queued runs; running ones finish.\n`);
    const again = batonJson<Listed & { paused: boolean }>(await baton(["backfills", "pause", id, "--json"], env));
    expect(again).toMatchObject({ id: Number(id), dagId: "hourly", state: "queued", paused: true, progress: { total: 0 } });
    expect(batonJson<(Listed & { paused: boolean })[]>(await baton(["backfills", "list", "--json"], env)).find((b) => b.id === Number(id))?.paused).toBe(true);
    expect((await baton(["backfills", "list"], env)).stdout).toMatch(new RegExp(`\\n${id}\\s+hourly\\s+queued \\(paused\\)\\s+2025-03-01`));

    const unpaused = await baton(["backfills", "unpause", id, "--json"], env);
    expect(unpaused.code, unpaused.stderr).toBe(0);
    expect(batonJson<{ paused: boolean }>(unpaused).paused).toBe(false);
    expect((await baton(["backfills", "unpause", id], env)).stdout).toBe(`Backfill ${id} of hourly unpaused: the scheduler starts its queued runs again.\n`);
    expect((await baton(["backfills", "list"], env)).stdout).toMatch(new RegExp(`\\n${id}\\s+hourly\\s+queued\\s+2025-03-01`));

    const audit = batonJson<{ action: string; actor: string; via: string; targetId: string; before: unknown; after: unknown }[]>(
      await baton(["audit", "list", "--json"], env),
    );
    expect(
      audit
        .filter((e) => /^backfill\.(un)?pause$/.test(e.action) && e.targetId === id)
        .map((e) => [e.action, e.via, e.before, e.after])
        .reverse(),
    ).toEqual([
      ["backfill.pause", "cli", { paused: false }, { paused: true }],
      ["backfill.pause", "cli", { paused: true }, { paused: true }],
      ["backfill.unpause", "cli", { paused: true }, { paused: false }],
      ["backfill.unpause", "cli", { paused: false }, { paused: false }],
    ]);

    for (const [args, message] of [
      [["backfills", "pause", "abc"], /backfill id must be a positive whole number .* got "abc"/],
      [["backfills", "unpause", "0"], /got "0"/],
      [["backfills", "pause", "4242"], /no backfill 4242/],
    ] as const) {
      const r = await baton([...args], env);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect((await baton(["backfills", "pause"], env)).code).toBe(2);

    const store = await openSqliteStore(join(env.BATON_HOME!, "baton.db"));
    await store.commit({ backfills: [{ id: Number(id), state: "done", endedAt: Date.now() }] });
    await store.close();
    const ended = await baton(["backfills", "pause", id], env);
    expect(ended.code).toBe(2);
    expect(ended.stderr).toContain(`error: backfill ${id} already ended (done): only a queued or running backfill can be paused`);
  }, 120_000);
});
