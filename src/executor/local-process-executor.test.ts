import { readFileSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AttemptReport, AttemptRequest } from "../core/ports/executor.js";
import { LocalProcessExecutor, type LocalProcessExecutorOptions } from "./local-process-executor.js";
import { makeRequest, RecordingListener, tempDir, writeDagModule } from "./testing/dag-fixtures.js";

const TASKS = `{
  quick: { kind: "function", async run(ctx) { return ctx.taskId; } },
  whoami: { kind: "function", async run(ctx) { const seen = ctx.params.seen ?? null; ctx.params.seen = ctx.runId; return { runId: ctx.runId, seen, maxTries: ctx.maxTries }; } },
  slow: { kind: "function", async run(ctx) { await new Promise((r) => setTimeout(r, ctx.params.ms ?? 600)); return "slow"; } },
  spin: { kind: "function", async run() { for (;;) {} } },
  stubborn: { kind: "function", async run() { await new Promise((r) => setTimeout(r, 30000)); } },
  exit3: { kind: "function", async run() { console.log("about to exit"); process.exit(3); } },
  hog: { kind: "function", async run() { const a = []; for (;;) a.push(new Array(1e5).fill(Math.random())); } },
  sigkill: { kind: "function", async run() { process.kill(process.pid, "SIGKILL"); await new Promise(() => {}); } },
}`;

describe("LocalProcessExecutor (process pool)", () => {
  let dir: string;
  let bundlePath: string;
  let executor: LocalProcessExecutor | undefined;

  beforeAll(() => {
    dir = tempDir();
    bundlePath = writeDagModule(dir, "d", TASKS);
  });

  afterEach(async () => {
    await executor?.shutdown(1_000);
    executor = undefined;
  });

  async function pool(options: LocalProcessExecutorOptions) {
    const listener = new RecordingListener();
    executor = new LocalProcessExecutor({ killGraceMs: 200, ...options });
    await executor.start(listener);
    const submit = (taskId: string, extra: Partial<Parameters<typeof makeRequest>[0]> = {}): AttemptRequest => {
      const request = makeRequest({ bundlePath, logDir: `${dir}/logs`, taskId, ...extra });
      executor!.submit(request);
      return request;
    };
    return { listener, executor, submit };
  }

  /** Each attempt reported exactly once, and started at most once. */
  function expectReportedOnce(listener: RecordingListener, requests: AttemptRequest[]): void {
    for (const r of requests) {
      expect(
        listener.reports.filter((x) => x.attemptId === r.attemptId),
        r.attemptId,
      ).toHaveLength(1);
      expect(listener.started_.filter((x) => x.attemptId === r.attemptId).length, r.attemptId).toBeLessThanOrEqual(1);
    }
  }

  const output = (report: AttemptReport) => (report.outcome.kind === "success" ? report.outcome.output : report.outcome.kind);

  it("has capacity processes × prefetch", () => {
    expect(new LocalProcessExecutor({ processes: 3, prefetch: 5 }).capacity).toBe(15);
  });

  it("sends a run's shared part once per child and gives every attempt its own run's context, past the parts a child keeps", async () => {
    const { listener, executor } = await pool({ processes: 1, prefetch: 4 });
    // Attempts of 70 runs (more than MAX_RUN_PARTS), two per run sharing one context object, as
    // the scheduler hands them; the first run again at the end (its part was forgotten by then).
    const requests: AttemptRequest[] = [];
    const first = makeRequest({ bundlePath, logDir: `${dir}/logs`, taskId: "whoami", params: {} });
    for (let i = 0; i < 70; i++) {
      const a = i === 0 ? first : makeRequest({ bundlePath, logDir: `${dir}/logs`, taskId: "whoami", params: {} });
      const b = { ...a, attemptId: `${a.runPk}/whoami/-1/2`, tryNumber: 2, logPath: `${a.logPath}.2` };
      requests.push(a, b);
    }
    requests.push({ ...first, attemptId: `${first.runPk}/whoami/-1/3`, tryNumber: 3, logPath: `${first.logPath}.3` });
    for (const r of requests) executor.submit(r);
    const reports = await listener.all(requests);
    reports.forEach((report, i) => {
      // Its own run's id; a change the previous attempt of the run made to ctx.params is not seen.
      expect(JSON.parse(output(report) as string), requests[i]!.attemptId).toEqual({ runId: requests[i]!.context.runId, seen: null, maxTries: 3 });
    });
  });

  it("times out a task that blocks its event loop; attempts prefetched behind it run on a new child", async () => {
    const { listener, submit } = await pool({ processes: 1, prefetch: 4 });
    const spin = submit("spin", { executionTimeoutMs: 300 });
    const behind = [submit("quick"), submit("quick"), submit("quick")];
    const spun = await listener.finishedOf(spin.attemptId);
    expect(spun.outcome).toEqual({ kind: "timeout", error: "exceeded execution timeout of 300ms" });
    const reports = await listener.all(behind);
    for (const r of reports) {
      expect(r.outcome.kind).toBe("success");
      expect(r.pid).not.toBe(spun.pid);
    }
    expectReportedOnce(listener, [spin, ...behind]);
    expect(readFileSync(spin.logPath, "utf8")).toContain("ERROR attempt timed out: exceeded execution timeout of 300ms");
  });

  it("a timeout kills only its own attempt; the other child keeps working", async () => {
    const { listener, submit } = await pool({ processes: 2, prefetch: 1 });
    const spin = submit("spin", { executionTimeoutMs: 300 });
    const slow = submit("slow", { params: { ms: 800 } });
    const [spun, slept] = await listener.all([spin, slow]);
    expect(spun!.outcome.kind).toBe("timeout");
    expect(slept!.outcome).toEqual({ kind: "success", output: '"slow"' });
    const after = [submit("quick"), submit("quick"), submit("quick")];
    for (const r of await listener.all(after)) expect(r.outcome.kind).toBe("success");
  });

  for (const [taskId, how] of [
    ["exit3", /task runner process \d+ exited with code 3 while running the attempt/],
    ["sigkill", /task runner process \d+ was killed by SIGKILL/],
  ] as const) {
    it(`reports ${taskId} as crashed and re-runs the attempts queued behind it on a new child`, async () => {
      const { listener, submit } = await pool({ processes: 1, prefetch: 4 });
      const crash = submit(taskId);
      const behind = [submit("quick"), submit("quick"), submit("quick"), submit("quick"), submit("quick")];
      const crashed = await listener.finishedOf(crash.attemptId);
      expect(crashed.outcome.kind).toBe("crashed");
      expect((crashed.outcome as { error: string }).error).toMatch(how);
      const reports = await listener.all(behind);
      for (const r of reports) {
        expect(r.outcome.kind).toBe("success");
        expect(r.pid).not.toBe(crashed.pid);
      }
      expectReportedOnce(listener, [crash, ...behind]);
      expect(readFileSync(crash.logPath, "utf8")).toMatch(/ERROR attempt crashed: task runner process/);
    });
  }

  it("reports a child out of memory as crashed, with V8's message in the attempt log", async () => {
    const { listener, submit } = await pool({ processes: 1, execArgv: ["--max-old-space-size=48"] });
    const hog = submit("hog");
    const after = submit("quick");
    const report = await listener.finishedOf(hog.attemptId);
    expect(report.outcome.kind).toBe("crashed");
    expect((report.outcome as { error: string }).error).toContain("heap out of memory");
    expect(readFileSync(hog.logPath, "utf8")).toContain("FATAL ERROR: Reached heap limit");
    expect((await listener.finishedOf(after.attemptId)).outcome.kind).toBe("success");
  });

  it("keeps the console output of an attempt whose child exits", async () => {
    const { listener, submit } = await pool({ processes: 1 });
    const crash = submit("exit3");
    await listener.finishedOf(crash.attemptId);
    const log = readFileSync(crash.logPath, "utf8");
    expect(log.indexOf("about to exit")).toBeLessThan(log.indexOf("attempt crashed"));
  });

  it("replaces a child killed from outside while idle", async () => {
    const { listener, submit } = await pool({ processes: 1 });
    const first = await listener.finishedOf(submit("quick").attemptId);
    process.kill(first.pid!, "SIGKILL");
    await new Promise((r) => setTimeout(r, 100));
    const next = await listener.finishedOf(submit("quick").attemptId);
    expect(next.outcome.kind).toBe("success");
    expect(next.pid).not.toBe(first.pid);
  });

  it("steals waiting attempts from a child busy with a long one", async () => {
    const { listener, submit } = await pool({ processes: 2, prefetch: 4 });
    const t0 = Date.now();
    const long = submit("slow", { params: { ms: 2_000 } });
    const shorts = Array.from({ length: 7 }, () => submit("quick"));
    const reports = await listener.all(shorts);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(1_500);
    for (const r of reports) expect(r.outcome.kind).toBe("success");
    const longReport = await listener.finishedOf(long.attemptId);
    expect(reports.every((r) => r.pid !== longReport.pid || r.endedAt < longReport.startedAt)).toBe(true);
    expectReportedOnce(listener, [long, ...shorts]);
  });

  it("cancels an attempt a child holds but has not started, and one it is running", async () => {
    const { listener, submit } = await pool({ processes: 1, prefetch: 4 });
    const running = submit("stubborn");
    const held = submit("quick");
    await listener.startedOf(running.attemptId);
    executor!.cancel(held.attemptId, "cleared by alice");
    const heldReport = await listener.finishedOf(held.attemptId);
    expect(heldReport.outcome).toEqual({ kind: "failed", retryable: false, error: "cancelled: cleared by alice" });
    expect(listener.started_.map((s) => s.attemptId)).not.toContain(held.attemptId);
    executor!.cancel(running.attemptId, "run timed out");
    const runningReport = await listener.finishedOf(running.attemptId);
    expect(runningReport.outcome).toEqual({ kind: "failed", retryable: false, error: "cancelled: run timed out" });
    const next = await listener.finishedOf(submit("quick").attemptId);
    expect(next.outcome.kind).toBe("success");
    expectReportedOnce(listener, [running, held]);
  });

  it("giveBack takes back attempts not started (held by a child or waiting here) without a report; a running one goes on", async () => {
    const given: string[][] = [];
    const { listener, submit } = await pool({ processes: 1, prefetch: 2, givenBack: (ids) => void given.push(ids) });
    const slow = submit("slow", { params: { ms: 500 } });
    const held = submit("quick"); // in the child, behind the slow one
    const waiting = submit("quick"); // here: the child holds its prefetch
    const kept = submit("quick");
    await listener.startedOf(slow.attemptId);
    executor!.giveBack([waiting.attemptId, held.attemptId, slow.attemptId]);
    await until(() => given.flat().length === 2);
    expect(given).toEqual([[waiting.attemptId], [held.attemptId]]);
    expect((await listener.finishedOf(slow.attemptId)).outcome.kind).toBe("success");
    expect((await listener.finishedOf(kept.attemptId)).outcome.kind).toBe("success");
    expect(listener.reports.map((r) => r.attemptId).sort()).toEqual([slow.attemptId, kept.attemptId].sort());
    expect(listener.started_.map((s) => s.attemptId)).toEqual([slow.attemptId, kept.attemptId]);
  });

  it("shutdown: lets running attempts finish within the grace, kills the rest, drops what never started", async () => {
    const { listener, submit } = await pool({ processes: 2, prefetch: 4 });
    const finishes = submit("slow", { params: { ms: 300 } });
    const tooLong = submit("stubborn");
    const waiting = Array.from({ length: 10 }, () => submit("slow", { params: { ms: 300 } }));
    await Promise.all([listener.startedOf(finishes.attemptId), listener.startedOf(tooLong.attemptId)]);
    const pids = new Set(listener.started_.map((s) => s.pid));
    const t0 = Date.now();
    await executor!.shutdown(1_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(output(await listener.finishedOf(finishes.attemptId))).toBe('"slow"');
    expect((await listener.finishedOf(tooLong.attemptId)).outcome).toEqual({ kind: "crashed", error: "killed at shutdown" });
    const reported = new Set(listener.reports.map((r) => r.attemptId));
    const started = new Set(listener.started_.map((s) => s.attemptId));
    for (const w of waiting) expect(reported.has(w.attemptId)).toBe(started.has(w.attemptId));
    for (const pid of pids) expect(() => process.kill(pid!, 0)).toThrow();
    executor!.submit(makeRequest({ bundlePath, logDir: `${dir}/logs`, taskId: "quick" }));
  });

  it("rejects start() when the runner entry cannot start, naming it", async () => {
    const broken = new LocalProcessExecutor({ processes: 1, runnerEntry: `${dir}/missing.js` });
    await expect(broken.start(new RecordingListener())).rejects.toThrow(/missing\.js exited with code 1 before it was ready/);
    await broken.shutdown(100);
  });
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
