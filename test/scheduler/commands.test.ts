import { afterEach, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { HEADER, Harness } from "../support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

async function until<T>(fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("scheduler: clear, mark and cancel requests (the command inbox)", () => {
  it("clearing a failed task of a finished run re-runs it and its downstream; the run succeeds", async () => {
    h = new Harness({});
    const flag = join(h.root, "fixed.flag");
    writeFileSync(
      join(h.dagsDir, "d.ts"),
      `${HEADER}import { existsSync } from "node:fs";\nexport default dag({ id: "d" }, (d) => {\n` +
        `  const a = d.task("a", async () => "a");\n` +
        `  const b = d.task("b", async () => { if (!existsSync(${JSON.stringify(flag)})) throw new FailTask("not yet"); return "b"; });\n` +
        `  a.then(b).then(d.task("c", async () => "c"));\n});\n`,
    );
    await h.load();
    await h.start();
    const first = await h.runToEnd("d");
    expect(first.states).toEqual({ a: "success", b: "failed", c: "upstream_failed" });
    writeFileSync(flag, "");
    const result = await h.command("clear_tasks", { dagId: "d", runId: first.run.runId, taskIds: ["b"], downstream: true });
    expect(result).toBe("ok: cleared 2 task instance(s)");
    const run = await until(async () => {
      const r = await h!.store.getRun("d", first.run.runId);
      return r?.state === "success" ? r : undefined;
    });
    const tis = Object.fromEntries((await h.store.listTaskInstances(run.id)).map((t) => [t.taskId, t]));
    expect(tis.a?.tryNumber).toBe(1);
    expect(tis.b?.tryNumber).toBe(2);
    expect(tis.c?.state).toBe("success");
    expect((await h.store.listAttempts(run.id, "b")).map((x) => x.state)).toEqual(["failed", "success"]);
  });

  it("clear_run with onlyFailed keeps successful tasks", async () => {
    h = new Harness({
      "d.ts": `${HEADER}export default dag({ id: "d" }, (d) => {\n  d.task("ok", async () => 1);\n  d.task("bad", async (ctx) => { if (ctx.tryNumber === 1) throw new FailTask("first"); return 2; });\n});\n`,
    });
    await h.load();
    await h.start();
    const first = await h.runToEnd("d");
    expect(first.run.state).toBe("failed");
    await h.command("clear_run", { dagId: "d", runId: first.run.runId, onlyFailed: true });
    const run = await until(async () => {
      const r = await h!.store.getRun("d", first.run.runId);
      return r?.state === "success" ? r : undefined;
    });
    const tis = Object.fromEntries((await h.store.listTaskInstances(run.id)).map((t) => [t.taskId, t.tryNumber]));
    expect(tis).toEqual({ ok: 1, bad: 2 });
  });

  it("marking a running task failed stops it; downstream follows its trigger rule", async () => {
    h = new Harness({
      "d.ts": `${HEADER}export default dag({ id: "d" }, (d) => {\n  const slow = d.task("slow", async () => { await new Promise((r) => setTimeout(r, 30_000)); });\n  slow.then(d.task("next", async () => 1));\n  slow.then(d.task("cleanup", { triggerRule: "all_done" }, async () => 1));\n});\n`,
    });
    await h.load();
    await h.start();
    const created = await h.trigger("d");
    await until(async () => ((await h!.store.listTaskInstances(created.id)).find((t) => t.taskId === "slow")?.state === "running" ? true : undefined));
    const t0 = Date.now();
    await h.command("mark_tasks", { dagId: "d", runId: created.runId, taskIds: ["slow"], state: "failed" });
    const run = await h.scheduler.waitForRun(created.id);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(run.state).toBe("failed");
    const states = Object.fromEntries((await h.store.listTaskInstances(created.id)).map((t) => [t.taskId, t.state]));
    expect(states).toEqual({ slow: "failed", next: "upstream_failed", cleanup: "success" });
  });

  it("marking an active run success ends it at once; cancelling a run fails it with a note", async () => {
    h = new Harness({
      "d.ts": `${HEADER}export default dag({ id: "d" }, (d) => {\n  d.task("slow", async () => { await new Promise((r) => setTimeout(r, 30_000)); });\n});\n`,
    });
    await h.load();
    await h.start();
    const r1 = await h.trigger("d");
    await until(async () => ((await h!.store.listTaskInstances(r1.id))[0]?.state === "running" ? true : undefined));
    await h.command("mark_run", { dagId: "d", runId: r1.runId, state: "success" });
    const done = await h.scheduler.waitForRun(r1.id);
    expect(done.state).toBe("success");
    expect((await h.store.listTaskInstances(r1.id))[0]?.state).toBe("success");

    const r2 = await h.trigger("d");
    await until(async () => ((await h!.store.listTaskInstances(r2.id))[0]?.state === "running" ? true : undefined));
    await h.command("cancel_run", { dagId: "d", runId: r2.runId });
    const cancelled = await h.scheduler.waitForRun(r2.id);
    expect(cancelled.state).toBe("failed");
    expect(cancelled.note).toBe("cancelled by tester");
  });

  it("a command about an unknown run is answered with an error result, not a crash", async () => {
    h = new Harness({ "d.ts": `${HEADER}export default dag({ id: "d" }, (d) => { d.task("t", async () => 1); });\n` });
    await h.load();
    await h.start();
    expect(await h.command("clear_run", { dagId: "d", runId: "nope", onlyFailed: false })).toMatch(/^error: .*no run "nope"/);
    const { run } = await h.runToEnd("d");
    expect(run.state).toBe("success");
  });

  it("announces run and task state changes to subscribers once durable", async () => {
    h = new Harness({ "d.ts": `${HEADER}export default dag({ id: "d" }, (d) => { d.task("t", async () => 1); });\n` });
    await h.load();
    await h.start();
    const events: string[] = [];
    h.scheduler.subscribe((e) => events.push(e.kind === "task" ? `task:${e.taskId}:${e.state}` : `${e.kind}:${"state" in e ? e.state : ""}`));
    await h.runToEnd("d");
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toContain("run:running");
    expect(events).toContain("task:t:success");
    expect(events).toContain("run:success");
  });
});
