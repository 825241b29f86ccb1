import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { TaskInstanceRecord } from "../../src/core/model/records.js";
import { LocalProcessExecutor } from "../../src/executor/local-process-executor.js";
import { HEADER, Harness } from "../support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const dagFile = (body: string) => `${HEADER}export default dag({ id: "m" }, (d) => {\n${body}\n});\n`;

function byTask(tis: TaskInstanceRecord[]) {
  const own = Object.fromEntries(tis.filter((t) => t.mapIndex === -1).map((t) => [t.taskId, t]));
  const copies = (taskId: string) => tis.filter((t) => t.taskId === taskId && t.mapIndex >= 0).sort((a, b) => a.mapIndex - b.mapIndex);
  return { own, copies };
}

async function runM(files: Record<string, string>, conf: Record<string, unknown> = {}) {
  h = new Harness(files);
  const loaded = await h.load();
  expect(loaded.errors).toEqual([]);
  await h.start();
  const { run, tis } = await h.runToEnd("m", conf);
  return { run, ...byTask(tis), tis };
}

describe("dynamic task mapping", () => {
  it("runs one copy per element with its own map index; downstream receives the list of results", async () => {
    const { run, own, copies } = await runM({
      "m.ts": dagFile(
        `  const nums = d.task("nums", () => [1, 2, 3]);\n` +
          `  const times = d.task("times", { map: { n: nums }, partial: { factor: 10 } }, (ctx, { n, factor }) => ({ v: n * factor, i: ctx.mapIndex }));\n` +
          `  d.task("sum", { inputs: { all: times } }, (ctx, { all }) => all.reduce((s, x) => s + x.v, 0));`,
      ),
    });
    expect(run.state).toBe("success");
    expect(copies("times").map((c) => [c.mapIndex, c.state, c.tryNumber])).toEqual([
      [0, "success", 1],
      [1, "success", 1],
      [2, "success", 1],
    ]);
    expect(JSON.parse(own.times!.output!)).toEqual([
      { v: 10, i: 0 },
      { v: 20, i: 1 },
      { v: 30, i: 2 },
    ]);
    expect(own.times!.state).toBe("success");
    expect(JSON.parse(own.sum!.output!)).toBe(60);
  });

  it("maps over several lists as a cross product, literal lists included", async () => {
    const { run, own } = await runM({
      "m.ts": dagFile(`  const xs = d.task("xs", () => ["a", "b"]);\n` + `  d.task("pairs", { map: { x: xs, y: [1, 2, 3] } }, (ctx, { x, y }) => x + y);`),
    });
    expect(run.state).toBe("success");
    expect(JSON.parse(own.pairs!.output!)).toEqual(["a1", "a2", "a3", "b1", "b2", "b3"]);
  });

  it("retries each copy on its own, with its own attempts and log file", async () => {
    const { run, copies, own } = await runM({
      "m.ts": dagFile(
        `  const xs = d.task("xs", () => ["ok", "flaky", "ok2"]);\n` +
          `  d.task("work", { map: { x: xs }, retries: 2, retryDelay: 0 }, (ctx, { x }) => {\n` +
          `    console.log("copy " + ctx.mapIndex + " try " + ctx.tryNumber + " of " + x);\n` +
          `    if (x === "flaky" && ctx.tryNumber < 3) throw new Error("flaky " + ctx.tryNumber);\n` +
          `    return x;\n  });`,
      ),
    });
    expect(run.state).toBe("success");
    expect(copies("work").map((c) => c.tryNumber)).toEqual([1, 3, 1]);
    expect(JSON.parse(own.work!.output!)).toEqual(["ok", "flaky", "ok2"]);
    const attempts = await h!.store.listAttempts(run.id, "work");
    expect(attempts.filter((a) => a.mapIndex === 1).map((a) => a.state)).toEqual(["failed", "failed", "success"]);
    expect(attempts.filter((a) => a.mapIndex === 0).map((a) => a.state)).toEqual(["success"]);
    const log = join(h!.logsDir, "dag_id=m", `run_id=${run.runId}`, "task_id=work", "map_index=1", "attempt=2.log");
    expect(existsSync(log)).toBe(true);
    expect(readFileSync(log, "utf8")).toContain("copy 1 try 2 of flaky");
    expect(attempts.find((a) => a.mapIndex === 1 && a.tryNumber === 2)?.logPath).toBe(log);
  });

  it("a failed copy fails the mapped task (naming the map index); all_done downstream gets the successes", async () => {
    const { run, own, copies } = await runM({
      "m.ts": dagFile(
        `  const xs = d.task("xs", () => [1, 2, 3, 4]);\n` +
          `  const inv = d.task("inv", { map: { x: xs } }, (ctx, { x }) => { if (x === 3) throw new FailTask("no 3"); return 1 / x; });\n` +
          `  d.task("strict", { inputs: { inv } }, (ctx, { inv }) => inv.length);\n` +
          `  d.task("report", { inputs: { inv }, triggerRule: "all_done" }, (ctx, { inv }) => inv.length);`,
      ),
    });
    expect(run.state).toBe("failed");
    expect(copies("inv").map((c) => c.state)).toEqual(["success", "success", "failed", "success"]);
    expect(own.inv!.state).toBe("failed");
    expect(own.inv!.error).toBe("1 of 4 copies failed (map index 2)");
    expect(own.strict!.state).toBe("upstream_failed");
    expect(own.report!.state).toBe("success");
    expect(JSON.parse(own.report!.output!)).toBe(3);
  });

  it("an empty list skips the mapped task and, by default, its downstream", async () => {
    const { run, own, copies } = await runM({
      "m.ts": dagFile(
        `  const xs = d.task("xs", (): number[] => []);\n` +
          `  const sq = d.task("sq", { map: { x: xs } }, (ctx, { x }) => x * x);\n` +
          `  d.task("after", { inputs: { sq } }, (ctx, { sq }) => sq.length);`,
      ),
    });
    expect(run.state).toBe("success");
    expect(copies("sq")).toEqual([]);
    expect(own.sq!.state).toBe("skipped");
    expect(own.after!.state).toBe("skipped");
  });

  it("more copies than maxMapLength, or an upstream value that is not a list, fail the task with a clear error", async () => {
    const { run, own } = await runM({
      "m.ts": dagFile(
        `  const xs = d.task("xs", () => [1, 2, 3]);\n` +
          `  d.task("capped", { map: { x: xs }, maxMapLength: 2 }, (ctx, { x }) => x);\n` +
          `  const obj = d.task("obj", () => 42 as unknown as number[]);\n` +
          `  d.task("notlist", { map: { x: obj } }, (ctx, { x }) => x);`,
      ),
    });
    expect(run.state).toBe("failed");
    expect(own.capped!.state).toBe("failed");
    expect(own.capped!.error).toBe('task "capped" would expand to 3 copies (x: 3), above its maxMapLength of 2');
    expect(own.notlist!.error).toBe('task "notlist" is mapped over input "x", but upstream "obj" returned a number (42), not a list or an object');
  });

  it("maxActiveCopies limits the copies running at once", async () => {
    const { run, own } = await runM({
      "m.ts": dagFile(
        `  const xs = d.task("xs", () => [1, 2, 3, 4]);\n` +
          `  d.task("slow", { map: { x: xs }, maxActiveCopies: 1 }, async (ctx, { x }) => {\n` +
          `    const start = Date.now(); await new Promise((r) => setTimeout(r, 150)); return [start, Date.now()];\n  });`,
      ),
    });
    expect(run.state).toBe("success");
    const spans = (JSON.parse(own.slow!.output!) as [number, number][]).sort((a, b) => a[0] - b[0]);
    expect(spans).toHaveLength(4);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });

  it("clearing a mapped task expands it again; copies continue their try numbers", async () => {
    const { run, copies } = await runM({ "m.ts": dagFile(`  d.task("each", { map: { x: [1, 2] } }, (ctx, { x }) => x + ctx.tryNumber);`) });
    expect(run.state).toBe("success");
    expect(copies("each").map((c) => c.tryNumber)).toEqual([1, 1]);
    expect(await h!.command("clear_tasks", { dagId: "m", runId: run.runId, taskIds: ["each"], downstream: false })).toBe("ok: cleared 1 task instance(s)");
    const again = await h!.scheduler.waitForRun(run.id);
    expect(again.state).toBe("success");
    const after = byTask(await h!.store.listTaskInstances(run.id));
    expect(after.copies("each").map((c) => [c.state, c.tryNumber])).toEqual([
      ["success", 2],
      ["success", 2],
    ]);
    expect(JSON.parse(after.own.each!.output!)).toEqual([3, 4]);
  });

  it("clearing only failed tasks re-runs only the failed copies; the others keep their results", async () => {
    h = new Harness({});
    const fixed = join(h.root, "fixed.flag");
    writeFileSync(
      join(h.dagsDir, "m.ts"),
      `${HEADER}import { existsSync } from "node:fs";\n` +
        dagFile(
          `  const xs = d.task("xs", () => [1, 2, 3, 4]);\n` +
            `  const each = d.task("each", { map: { x: xs } }, (ctx, { x }) => { if (x === 3 && !existsSync(${JSON.stringify(fixed)})) throw new FailTask("3 is broken"); return x * 10 + ctx.tryNumber; });\n` +
            `  d.task("after", { inputs: { each } }, (ctx, { each }) => each);`,
        ).slice(HEADER.length),
    );
    await h.load();
    await h.start();
    const first = await h.runToEnd("m");
    expect(first.run.state).toBe("failed");
    writeFileSync(fixed, "");
    expect(await h.command("clear_run", { dagId: "m", runId: first.run.runId, onlyFailed: true })).toBe("ok: cleared 2 task instance(s)");
    const run = await h.scheduler.waitForRun(first.run.id);
    expect(run.state).toBe("success");
    const { own, copies } = byTask(await h.store.listTaskInstances(first.run.id));
    expect(copies("each").map((c) => [c.state, c.tryNumber])).toEqual([
      ["success", 1],
      ["success", 1],
      ["success", 2],
      ["success", 1],
    ]);
    expect(JSON.parse(own.after!.output!)).toEqual([11, 21, 32, 41]);
  });

  it("the same in a run still going: only the failed copy re-runs, while another task is still running", async () => {
    h = new Harness({});
    const fixed = join(h.root, "fixed.flag");
    writeFileSync(
      join(h.dagsDir, "m.ts"),
      `${HEADER}import { existsSync } from "node:fs";\n` +
        dagFile(
          `  d.task("slow", async () => { await new Promise((r) => setTimeout(r, 2500)); return 1; });\n` +
            `  d.task("each", { map: { x: [1, 2, 3] } }, (ctx, { x }) => { if (x === 2 && !existsSync(${JSON.stringify(fixed)})) throw new FailTask("2 is broken"); return x + ctx.tryNumber * 100; });`,
        ).slice(HEADER.length),
    );
    await h.load();
    await h.start();
    const created = await h.trigger("m");
    for (let i = 0; i < 400; i++) {
      const own = (await h.store.listTaskInstances(created.id)).find((t) => t.taskId === "each" && t.mapIndex < 0);
      if (own?.state === "failed") break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await h.store.getRunById(created.id))!.state).toBe("running");
    writeFileSync(fixed, "");
    expect(await h.command("clear_run", { dagId: "m", runId: created.runId, onlyFailed: true })).toBe("ok: cleared 1 task instance(s)");
    const run = await h.scheduler.waitForRun(created.id);
    expect(run.state).toBe("success");
    const { own, copies } = byTask(await h.store.listTaskInstances(created.id));
    expect(copies("each").map((c) => c.tryNumber)).toEqual([1, 2, 1]);
    expect(JSON.parse(own.each!.output!)).toEqual([101, 202, 103]);
  });

  it("a run whose copies were running when the scheduler stopped finishes after a restart", async () => {
    h = new Harness({});
    const restarted = join(h.root, "restarted.flag");
    writeFileSync(
      join(h.dagsDir, "m.ts"),
      `${HEADER}import { existsSync } from "node:fs";\n` +
        dagFile(
          `  const xs = d.task("xs", () => [1, 2, 3]);\n` +
            `  d.task("slow", { map: { x: xs }, retries: 1, retryDelay: 0 }, async (ctx, { x }) => {\n` +
            `    if (!existsSync(${JSON.stringify(restarted)})) await new Promise((r) => setTimeout(r, 20_000)); return x * 2;\n  });`,
        ).slice(HEADER.length),
    );
    await h.load();
    await h.start();
    const created = await h.trigger("m");
    for (let i = 0; i < 400; i++) {
      const tis = await h.store.listTaskInstances(created.id);
      if (tis.filter((t) => t.taskId === "slow" && t.mapIndex >= 0 && t.state === "running").length >= 2) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await h.scheduler.stop(0);
    writeFileSync(restarted, "");
    await h.start({ executor: new LocalProcessExecutor({ processes: 2, prefetch: 2, killGraceMs: 200 }) });
    const run = await h.scheduler.waitForRun(created.id);
    expect(run.state).toBe("success");
    const { own, copies } = byTask(await h.store.listTaskInstances(created.id));
    expect(JSON.parse(own.slow!.output!)).toEqual([2, 4, 6]);
    expect(copies("slow").every((c) => c.state === "success")).toBe(true);
  });
});
