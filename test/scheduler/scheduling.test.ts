import { afterEach, describe, expect, it } from "vitest";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HEADER, Harness } from "../support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function until<T>(fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("scheduler: scheduled runs", () => {
  it("with catch-up, creates and runs every missed daily interval in order, with data intervals", async () => {
    h = new Harness({
      "d.ts": `${HEADER}export default dag({ id: "d", schedule: "@daily", startDate: "${isoDay(today - 3 * DAY)}", catchup: true, maxActiveRuns: 1 }, () => { task("t", async (ctx) => ctx.ds); });\n`,
    });
    await h.load();
    await h.start({ scheduler: { createScheduledRuns: true } });
    const runs = await until(async () => {
      const rs = await h!.store.listRuns({ dagId: "d" });
      return rs.length === 3 && rs.every((r) => r.state === "success") ? rs : undefined;
    });
    const sorted = [...runs].sort((a, b) => a.logicalDate! - b.logicalDate!);
    expect(sorted.map((r) => r.logicalDate)).toEqual([today - 3 * DAY, today - 2 * DAY, today - DAY]);
    for (const r of sorted) {
      expect(r.runType).toBe("scheduled");
      expect(r.dataIntervalEnd! - r.dataIntervalStart!).toBe(DAY);
      expect(r.runId).toMatch(/^scheduled__/);
    }
    const first = await h.store.listTaskInstances(sorted[0]!.id);
    expect(first[0]?.output).toBe(JSON.stringify(isoDay(today - 3 * DAY)));
    // max active runs 1: runs did not overlap
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.startedAt!).toBeGreaterThanOrEqual(sorted[i - 1]!.endedAt!);
  });

  it("without catch-up, only the latest interval runs", async () => {
    h = new Harness({
      "d.ts": `${HEADER}export default dag({ id: "d", schedule: "@daily", startDate: "${isoDay(today - 5 * DAY)}" }, () => { task("t", async () => 1); });\n`,
    });
    await h.load();
    await h.start({ scheduler: { createScheduledRuns: true } });
    const runs = await until(async () => {
      const rs = await h!.store.listRuns({ dagId: "d" });
      return rs.length >= 1 && rs[0]!.state === "success" ? rs : undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.store.listRuns({ dagId: "d" })).toHaveLength(1);
    expect(runs[0]!.logicalDate).toBe(today - DAY);
  });

  it("a paused DAG gets no scheduled runs and its queued runs wait", async () => {
    h = new Harness({
      "d.ts": `${HEADER}export default dag({ id: "d", schedule: "@daily", startDate: "${isoDay(today - 2 * DAY)}" }, () => { task("t", async () => 1); });\n`,
    });
    await h.load();
    await h.store.setDagPaused("d", true);
    await h.start({ scheduler: { createScheduledRuns: true } });
    const manual = await h.trigger("d");
    await new Promise((r) => setTimeout(r, 400));
    expect((await h.store.listRuns({ dagId: "d" })).map((r) => r.state)).toEqual(["queued"]);
    await h.store.setDagPaused("d", false);
    h.scheduler.wake();
    expect((await h.scheduler.waitForRun(manual.id)).state).toBe("success");
  });

  it("fails a run that exceeds its run timeout and stops its tasks", async () => {
    h = new Harness({
      "d.ts": `${HEADER}export default dag({ id: "d", runTimeout: "300ms" }, () => { const s = task("sleep", async () => { await new Promise((r) => setTimeout(r, 30_000)); }); s.then(task("after", async () => 1)); });\n`,
    });
    await h.load();
    await h.start();
    const { run, states } = await h.runToEnd("d");
    expect(run.state).toBe("failed");
    expect(run.note).toMatch(/timed out/);
    // Regression (run-timeout left its attempt "running" forever, and the running task "skipped"):
    // a timed-out run ends its tasks as cancel and mark-failed do.
    expect(states).toEqual({ sleep: "failed", after: "skipped" });
    const attempts = await h.store.listAttempts(run.id, "sleep");
    expect(attempts.map((a) => [a.state, a.error])).toEqual([["failed", "stopped: run timed out after 300 ms"]]);
    expect(attempts[0]?.endedAt).not.toBeNull();
  });
});

describe("scheduler: backfill", () => {
  it("creates a run per interval in range, run by the scheduler, and re-runs failed ones when asked", async () => {
    const marker = join(h?.root ?? "", "unused");
    void marker;
    h = new Harness({});
    const flag = join(h.root, "ok.flag");
    writeFileSync(
      join(h.dagsDir, "d.ts"),
      `${HEADER}import { existsSync } from "node:fs";\nexport default dag({ id: "d", schedule: "@daily", startDate: "2026-01-01" }, () => {\n` +
        `  task("t", async (ctx) => { if (!existsSync(${JSON.stringify(flag)})) throw new FailTask("no flag for " + ctx.ds); return ctx.ds; });\n});\n`,
    );
    await h.load();
    await h.start();
    const b1 = await h.store.createBackfill({
      dagId: "d",
      fromDate: Date.parse("2026-01-01"),
      toDate: Date.parse("2026-01-03"),
      reprocess: "none",
      maxActiveRuns: 2,
      conf: {},
    });
    h.scheduler.wake();
    await until(async () => ((await h!.store.getBackfill(b1.id))?.state === "done" ? true : undefined));
    let runs = await h.store.listRuns({ dagId: "d" });
    expect(runs.map((r) => new Date(r.logicalDate!).toISOString().slice(0, 10)).sort()).toEqual(["2026-01-01", "2026-01-02", "2026-01-03"]);
    expect(runs.every((r) => r.runType === "backfill" && r.state === "failed")).toBe(true);

    writeFileSync(flag, "");
    const b2 = await h.store.createBackfill({
      dagId: "d",
      fromDate: Date.parse("2026-01-02"),
      toDate: Date.parse("2026-01-03"),
      reprocess: "failed",
      maxActiveRuns: 2,
      conf: {},
    });
    h.scheduler.wake();
    await until(async () => ((await h!.store.getBackfill(b2.id))?.state === "done" ? true : undefined));
    runs = await h.store.listRuns({ dagId: "d" });
    expect(runs).toHaveLength(3);
    const byDay = Object.fromEntries(runs.map((r) => [new Date(r.logicalDate!).toISOString().slice(0, 10), r.state]));
    expect(byDay).toEqual({ "2026-01-01": "failed", "2026-01-02": "success", "2026-01-03": "success" });
    expect(existsSync(flag)).toBe(true);
  });
});
