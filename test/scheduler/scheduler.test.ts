import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { HEADER, Harness } from "../support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const dagFile = (body: string, opts = "") => `${HEADER}export default dag({ id: "d"${opts} }, (d) => {\n${body}\n});\n`;

describe("scheduler: runs a DAG end to end with real workers and a durable store", () => {
  it("passes typed return values downstream and records every task's success", async () => {
    h = new Harness({
      "d.ts": dagFile(`
        const a = d.task("a", async () => ({ n: 20 }));
        const b = d.task("b", { inputs: { a } }, async (_ctx, { a }) => a.n + 1);
        d.task("c", { inputs: { a, b } }, async (_ctx, { a, b }) => a.n + b);`),
    });
    await h.load();
    await h.start();
    const { run, states, tis } = await h.runToEnd("d");
    expect(run.state).toBe("success");
    expect(states).toEqual({ a: "success", b: "success", c: "success" });
    expect(tis.find((t) => t.taskId === "c")?.output).toBe("41");
  });

  it("retries a failing task by its policy and records each attempt", async () => {
    h = new Harness({
      "d.ts": dagFile(`
        d.task("flaky", { retries: 3, retryDelay: 50 }, async (ctx) => {
          if (ctx.tryNumber < 3) throw new Error("boom " + ctx.tryNumber);
          return ctx.tryNumber;
        });`),
    });
    await h.load();
    await h.start();
    const { run, tis } = await h.runToEnd("d");
    expect(run.state).toBe("success");
    expect(tis[0]?.tryNumber).toBe(3);
    const attempts = await h.store.listAttempts(run.id, "flaky");
    expect(attempts.map((a) => a.state)).toEqual(["failed", "failed", "success"]);
    expect(attempts[0]?.error).toContain("boom 1");
  });

  it("FailTask fails at once without using retries; SkipTask skips and downstream follows its rule", async () => {
    h = new Harness({
      "d.ts": dagFile(`
        const f = d.task("fail", { retries: 5 }, async () => { throw new FailTask("bad input"); });
        const s = d.task("skip", async () => { throw new SkipTask("nothing to do"); });
        d.task("after_skip", { after: [s] }, async () => 1);
        d.task("after_fail", { after: [f] }, async () => 1);`),
    });
    await h.load();
    await h.start();
    const { run, states, tis } = await h.runToEnd("d");
    expect(states).toEqual({ fail: "failed", skip: "skipped", after_skip: "skipped", after_fail: "upstream_failed" });
    expect(tis.find((t) => t.taskId === "fail")?.tryNumber).toBe(1);
    expect(run.state).toBe("failed");
  });

  it("branching skips the unchosen path and the join runs (none_failed_min_one_success)", async () => {
    h = new Harness({
      "d.ts": dagFile(
        `
        const pick = d.branch("pick", async (ctx) => (ctx.params.path === "left" ? "left" : "right"));
        const left = d.task("left", async () => "L");
        const right = d.task("right", async () => "R");
        const after_right = d.task("after_right", async () => 1);
        pick.then([left, right]);
        right.then(after_right);
        d.task("join", { after: [left, after_right], triggerRule: "none_failed_min_one_success" }, async () => "joined");`,
        `, params: z.object({ path: z.enum(["left", "right"]).default("left") })`,
      ),
    });
    await h.load();
    await h.start();
    const left = await h.runToEnd("d");
    expect(left.states).toEqual({ pick: "success", left: "success", right: "skipped", after_right: "skipped", join: "success" });
    expect(left.run.state).toBe("success");
    const right = await h.runToEnd("d", { path: "right" });
    expect(right.states).toMatchObject({ left: "skipped", right: "success", after_right: "success", join: "success" });
  });

  it("a branch choosing a task that is not directly downstream fails with the valid choices", async () => {
    h = new Harness({
      "d.ts": dagFile(`
        const pick = d.branch("pick", async () => "far");
        const near = d.task("near", async () => 1);
        pick.then(near).then(d.task("far", async () => 1));`),
    });
    await h.load();
    await h.start();
    const { states, tis } = await h.runToEnd("d");
    expect(states.pick).toBe("failed");
    expect(tis.find((t) => t.taskId === "pick")?.error).toMatch(/"far".*choose (from|among): near/);
  });

  it("short-circuit skips everything downstream, whatever the trigger rules", async () => {
    h = new Harness({
      "d.ts": dagFile(`
        const gate = d.shortCircuit("gate", async () => false);
        const a = d.task("a", async () => 1);
        gate.then(a).then(d.task("b", { triggerRule: "all_done" }, async () => 1));`),
    });
    await h.load();
    await h.start();
    const { run, states } = await h.runToEnd("d");
    expect(states).toEqual({ gate: "success", a: "skipped", b: "skipped" });
    expect(run.state).toBe("success");
  });

  it("cleanup (all_done) and alert (one_failed) run after a failure; the run fails by its leaves", async () => {
    h = new Harness({
      "d.ts": dagFile(`
        const work = d.task("work", async () => { throw new Error("broken"); });
        work.then(d.task("cleanup", { triggerRule: "all_done" }, async () => "cleaned"));
        work.then(d.task("alert", { triggerRule: "one_failed" }, async () => "alerted"));
        work.then(d.task("publish", async () => 1));`),
    });
    await h.load();
    await h.start();
    const { run, states } = await h.runToEnd("d");
    expect(states).toEqual({ work: "failed", cleanup: "success", alert: "success", publish: "upstream_failed" });
    expect(run.state).toBe("failed");
  });

  it("a worker process that dies mid-task fails that attempt; the retry runs on a fresh process", async () => {
    h = new Harness({
      "d.ts": dagFile(`
        d.task("crash", { retries: 1, retryDelay: 10 }, async (ctx) => {
          if (ctx.tryNumber === 1) process.kill(process.pid, "SIGKILL");
          return "survived";
        });
        d.task("other", async () => 1);`),
    });
    await h.load();
    await h.start();
    const { run, states, tis } = await h.runToEnd("d");
    expect(run.state).toBe("success");
    expect(states.crash).toBe("success");
    expect(tis.find((t) => t.taskId === "crash")?.tryNumber).toBe(2);
    const attempts = await h.store.listAttempts(run.id, "crash");
    expect(attempts[0]?.state).toBe("failed");
    expect(attempts[0]?.error).toMatch(/SIGKILL|signal|exit/i);
  });

  it("a task over its execution timeout is killed and fails; other work goes on", async () => {
    h = new Harness({
      "d.ts": dagFile(`
        d.task("slow", { timeout: 300 }, async () => { await new Promise((r) => setTimeout(r, 60_000)); });
        d.task("quick", async () => 1);`),
    });
    await h.load();
    await h.start();
    const t0 = Date.now();
    const { states, tis } = await h.runToEnd("d");
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(states).toEqual({ slow: "failed", quick: "success" });
    expect(tis.find((t) => t.taskId === "slow")?.error).toMatch(/timeout/i);
  });

  it("a pool with one slot never runs two of its tasks at once", async () => {
    h = new Harness({
      "d.ts": dagFile(`
        for (let i = 0; i < 4; i++) d.task("p" + i, { pool: "single" }, async () => { await new Promise((r) => setTimeout(r, 40)); });`),
    });
    await h.load();
    await h.store.upsertPool({ name: "single", slots: 1, description: "one at a time" });
    await h.start();
    const { run, tis } = await h.runToEnd("d");
    expect(run.state).toBe("success");
    const spans = tis.map((t) => [t.startedAt!, t.endedAt!] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });

  it("a task in a pool that does not exist fails with a message naming the pools", async () => {
    h = new Harness({ "d.ts": dagFile(`d.task("x", { pool: "nope" }, async () => 1);`) });
    await h.load();
    await h.start();
    const { states, tis } = await h.runToEnd("d");
    expect(states.x).toBe("failed");
    expect(tis[0]?.error).toMatch(/pool "nope" does not exist.*default_pool/);
  });

  it("maxActiveRuns holds further runs queued until a slot frees", async () => {
    h = new Harness({
      "d.ts": dagFile(`d.task("wait", async () => { await new Promise((r) => setTimeout(r, 150)); });`, `, maxActiveRuns: 1`),
    });
    await h.load();
    await h.start();
    const r1 = await h.trigger("d");
    const r2 = await h.trigger("d");
    const [a, b] = await Promise.all([h.scheduler.waitForRun(r1.id), h.scheduler.waitForRun(r2.id)]);
    expect(a.state).toBe("success");
    expect(b.state).toBe("success");
    const [first, second] = [a, b].sort((x, y) => x.startedAt! - y.startedAt!);
    expect(second!.startedAt!).toBeGreaterThanOrEqual(first!.endedAt!);
  });

  it("writes task output to one log file per attempt", async () => {
    h = new Harness({
      "d.ts": dagFile(`
        d.task("talk", { retries: 1, retryDelay: 10 }, async (ctx) => {
          console.log("hello from try", ctx.tryNumber);
          ctx.log.info("structured", { k: 1 });
          if (ctx.tryNumber === 1) throw new Error("first try fails");
        });`),
    });
    await h.load();
    await h.start();
    const { run } = await h.runToEnd("d");
    const attempts = await h.store.listAttempts(run.id, "talk");
    expect(attempts).toHaveLength(2);
    const first = readFileSync(attempts[0]!.logPath!, "utf8");
    const second = readFileSync(attempts[1]!.logPath!, "utf8");
    expect(first).toContain("hello from try 1");
    expect(first).toContain("first try fails");
    expect(second).toContain("hello from try 2");
    expect(second).toMatch(/INFO structured/);
  });
});

describe("scheduler: durability", () => {
  it("after a crash, attempts left running are failed and retried; the run completes", async () => {
    h = new Harness({
      "d.ts": dagFile(`
        const a = d.task("a", { retries: 1, retryDelay: 10 }, async () => "a");
        a.then(d.task("b", async () => "b"));`),
    });
    await h.load();
    // Simulate a scheduler that died with "a" running: the store says so, no process runs it.
    const created = await h.trigger("d");
    const tis = await h.store.listTaskInstances(created.id);
    const now = Date.now();
    await h.store.commit({
      runs: [{ id: created.id, state: "running", startedAt: now }],
      taskInstances: tis.map((t) => (t.taskId === "a" ? { ...t, state: "running", tryNumber: 1, startedAt: now } : t)),
    });
    await h.start();
    const run = await h.scheduler.waitForRun(created.id);
    expect(run.state).toBe("success");
    const attempts = await h.store.listAttempts(created.id, "a");
    expect(attempts.map((x) => x.state)).toEqual(["failed", "success"]);
    expect(attempts[0]?.error).toMatch(/interrupted/);
  });

  it("graceful stop lets a running attempt finish and records it", async () => {
    h = new Harness({ "d.ts": dagFile(`d.task("long", async () => { await new Promise((r) => setTimeout(r, 400)); return "done"; });`) });
    await h.load();
    await h.start();
    const created = await h.trigger("d");
    for (let i = 0; i < 100; i++) {
      const ti = (await h.store.listTaskInstances(created.id))[0];
      if (ti?.state === "running") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await h.scheduler.stop(5_000);
    const ti = (await h.store.listTaskInstances(created.id))[0];
    expect(ti?.state).toBe("success");
    expect(ti?.output).toBe('"done"');
  });
});
