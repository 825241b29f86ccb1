import { existsSync, readFileSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Executor } from "../../core/ports/executor.js";
import { makeRequest, RecordingListener, tempDir, writeDagModule, type RequestOptions } from "./dag-fixtures.js";

/** Abort-aware sleep, as source for the DAG modules. */
const SLEEP = `(ms, signal) => new Promise((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener("abort", () => { clearTimeout(t); reject(signal.reason); });
})`;

const TASKS = `{
  value: { kind: "function", async run() { return { a: 1, s: "x" }; } },
  nothing: { kind: "function", async run() {} },
  context: { kind: "function", async run(ctx, inputs) {
    return { inputs, ds: ctx.ds, ts: ctx.ts, params: ctx.params, tryNumber: ctx.tryNumber, maxTries: ctx.maxTries,
      dagId: ctx.dagId, taskId: ctx.taskId, runId: ctx.runId, runType: ctx.runType,
      logicalDate: ctx.logicalDate && ctx.logicalDate.toISOString(),
      start: ctx.dataInterval.start && ctx.dataInterval.start.getTime(), aborted: ctx.signal.aborted };
  } },
  throws: { kind: "function", async run() { throw new TypeError("bad row 7"); } },
  failTask: { kind: "function", async run() { throw fail("input file is corrupt"); } },
  skipTask: { kind: "function", async run() { throw skip("nothing new today"); } },
  big: { kind: "function", async run() { return "x".repeat(2 * 1024 * 1024); } },
  bigint: { kind: "function", async run() { return { n: 10n }; } },
  cycle: { kind: "function", async run() { const o = {}; o.self = o; return o; } },
  branchOne: { kind: "branch", async run() { return "left"; } },
  branchMany: { kind: "branch", async run() { return ["left", "right"]; } },
  branchNone: { kind: "branch", async run() { return null; } },
  branchBad: { kind: "branch", async run() { return 42; } },
  shortTrue: { kind: "short_circuit", async run() { return true; } },
  shortFalse: { kind: "short_circuit", async run() { return 0; } },
  shell: { kind: "shell", async run() {}, shell(ctx) {
    return { command: 'echo "$GREETING from $(pwd) on ' + ctx.ds + '"; echo oops >&2; echo last-line; echo', env: { GREETING: "hi" }, cwd: ctx.params.cwd };
  } },
  shellExit: { kind: "shell", async run() {}, shell() { return { command: "echo working; echo disk full >&2; exit 7", env: {}, cwd: null }; } },
  shellSilent: { kind: "shell", async run() {}, shell() { return { command: "true", env: {}, cwd: null }; } },
  logs: { kind: "function", async run(ctx) {
    console.log("hello from console");
    console.error("oops on stderr");
    process.stdout.write("raw write\\n");
    ctx.log.info("loaded rows", { k: 1 });
    ctx.log.warn("careful");
  } },
  sleep: { kind: "function", async run(ctx) { await (${SLEEP})(20000, ctx.signal); } },
}`;

/** The outcomes every Executor must produce the same way. Runs real attempts. */
export function describeExecutorContract(name: string, makeExecutor: () => Executor): void {
  describe(`${name} (executor contract)`, () => {
    let dir: string;
    let bundlePath: string;
    let executor: Executor | undefined;

    beforeAll(() => {
      dir = tempDir();
      bundlePath = writeDagModule(dir, "d", TASKS);
    });

    afterEach(async () => {
      await executor?.shutdown(1_000);
      executor = undefined;
    });

    async function run(options: Partial<RequestOptions> & { taskId: string }) {
      const listener = new RecordingListener();
      executor = makeExecutor();
      await executor.start(listener);
      const request = makeRequest({ bundlePath, logDir: `${dir}/logs`, ...options });
      executor.submit(request);
      const report = await listener.finishedOf(request.attemptId);
      return { report, request, listener };
    }

    it("reports the JSON of the return value, with start, end and pid", async () => {
      const { report, listener } = await run({ taskId: "value" });
      expect(report.outcome).toEqual({ kind: "success", output: '{"a":1,"s":"x"}' });
      expect(report.endedAt).toBeGreaterThanOrEqual(report.startedAt);
      expect(report.pid).toBeTypeOf("number");
      expect(listener.started_).toEqual([{ attemptId: report.attemptId, at: report.startedAt, pid: report.pid }]);
    });

    it("reports undefined as a null output", async () => {
      const { report } = await run({ taskId: "nothing" });
      expect(report.outcome).toEqual({ kind: "success", output: null });
    });

    it("passes inputs and builds the context (ds in the DAG's time zone)", async () => {
      const logicalDate = Date.UTC(2026, 10, 21, 2, 30);
      const { report } = await run({
        taskId: "context",
        inputs: { rows: [1, 2], name: "n" },
        params: { limit: 5 },
        tryNumber: 2,
        logicalDate,
        timezone: "America/New_York",
      });
      expect(report.outcome.kind).toBe("success");
      const value = JSON.parse((report.outcome as { output: string }).output) as Record<string, unknown>;
      expect(value).toMatchObject({
        inputs: { rows: [1, 2], name: "n" },
        ds: "2026-11-20",
        ts: "2026-11-21T02:30:00+00:00",
        params: { limit: 5 },
        tryNumber: 2,
        maxTries: 3,
        dagId: "d",
        taskId: "context",
        runType: "manual",
        logicalDate: "2026-11-21T02:30:00.000Z",
        start: logicalDate,
        aborted: false,
      });
    });

    it("fails retryably with message and stack when the task throws", async () => {
      const { report } = await run({ taskId: "throws" });
      expect(report.outcome).toMatchObject({ kind: "failed", retryable: true });
      const error = (report.outcome as { error: string }).error;
      expect(error).toContain("TypeError: bad row 7");
      expect(error).toMatch(/\n\s+at /);
    });

    it("fails for good on FailTask and skips on SkipTask", async () => {
      const failed = await run({ taskId: "failTask" });
      expect(failed.report.outcome).toEqual({ kind: "failed", error: "input file is corrupt", retryable: false });
      await executor!.shutdown(1_000);
      const skipped = await run({ taskId: "skipTask" });
      expect(skipped.report.outcome).toEqual({ kind: "skipped", reason: "nothing new today" });
    });

    it("refuses a return value over maxOutputBytes, naming the sizes and the setting", async () => {
      const { report } = await run({ taskId: "big", maxOutputBytes: 1024 * 1024 });
      expect(report.outcome).toEqual({
        kind: "failed",
        retryable: false,
        error:
          'return value of task "big" is 2 MiB, over the 1 MiB limit (BATON_MAX_OUTPUT_BYTES); write large data to a file or object storage and return a reference',
      });
    });

    it("refuses return values JSON cannot hold (BigInt, cycles)", async () => {
      for (const taskId of ["bigint", "cycle"]) {
        const { report } = await run({ taskId });
        expect(report.outcome).toMatchObject({ kind: "failed", retryable: false });
        expect((report.outcome as { error: string }).error).toContain(`return value of task "${taskId}" is not JSON-serializable`);
        await executor!.shutdown(1_000);
      }
    });

    it("turns branch and short-circuit values into followed ids", async () => {
      const cases: [string, unknown][] = [
        ["branchOne", { kind: "success", output: '"left"', followed: ["left"] }],
        ["branchMany", { kind: "success", output: '["left","right"]', followed: ["left", "right"] }],
        ["branchNone", { kind: "success", output: "null", followed: [] }],
        ["shortTrue", { kind: "success", output: "true", followed: null }],
        ["shortFalse", { kind: "success", output: "0", followed: [] }],
      ];
      for (const [taskId, outcome] of cases) {
        const { report } = await run({ taskId, kind: taskId.startsWith("branch") ? "branch" : "short_circuit" });
        expect(report.outcome, taskId).toEqual(outcome);
        await executor!.shutdown(1_000);
      }
      const bad = await run({ taskId: "branchBad", kind: "branch" });
      expect(bad.report.outcome).toMatchObject({ kind: "failed", retryable: false });
      expect((bad.report.outcome as { error: string }).error).toContain("must return a task id, an array of task ids or null; got number 42");
    });

    it("fails for good when the task or the DAG is gone from the bundle", async () => {
      const gone = await run({ taskId: "removed" });
      expect(gone.report.outcome).toEqual({
        kind: "failed",
        retryable: false,
        error: `task "removed" no longer exists in DAG "d" version ${bundlePath}`,
      });
      await executor!.shutdown(1_000);
      const noDag = await run({ taskId: "value", dagId: "other" });
      expect(noDag.report.outcome).toMatchObject({ kind: "failed", retryable: false });
      expect((noDag.report.outcome as { error: string }).error).toContain('DAG "other" is not exported by');
    });

    it("runs shell commands with env over process.env and cwd; the last stdout line is the value", async () => {
      const cwd = tempDir("baton-shell-cwd-");
      const { report, request } = await run({ taskId: "shell", kind: "shell", params: { cwd } });
      expect(report.outcome).toEqual({ kind: "success", output: '"last-line"' });
      const log = readFileSync(request.logPath, "utf8");
      expect(log).toContain(`hi from ${cwd} on 2026-11-21`);
      expect(log).toContain("oops");
    });

    it("fails a shell command that exits non-zero, retryably, with its last stderr line", async () => {
      const { report, request } = await run({ taskId: "shellExit", kind: "shell" });
      expect(report.outcome).toEqual({ kind: "failed", retryable: true, error: "command exited with code 7: disk full" });
      expect(readFileSync(request.logPath, "utf8")).toContain("working");
      await executor!.shutdown(1_000);
      const silent = await run({ taskId: "shellSilent", kind: "shell" });
      expect(silent.report.outcome).toEqual({ kind: "success", output: null });
    });

    it("writes console output and ctx.log lines to the attempt's own log file", async () => {
      const { request } = await run({ taskId: "logs" });
      const log = readFileSync(request.logPath, "utf8");
      expect(log).toContain("hello from console\n");
      expect(log).toContain("oops on stderr\n");
      expect(log).toContain("raw write\n");
      expect(log).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO loaded rows \{"k":1\}$/m);
      expect(log).toMatch(/Z WARN careful$/m);
    });

    it("creates no log file for an attempt that writes nothing, and ends a failure's log with the error", async () => {
      const quiet = await run({ taskId: "nothing" });
      expect(existsSync(quiet.request.logPath)).toBe(false);
      await executor!.shutdown(1_000);
      const failed = await run({ taskId: "throws" });
      expect(readFileSync(failed.request.logPath, "utf8")).toMatch(/Z ERROR attempt failed: TypeError: bad row 7/);
    });

    it("times out an attempt past task.executionTimeoutMs", async () => {
      const { report, request } = await run({ taskId: "sleep", executionTimeoutMs: 300 });
      expect(report.outcome).toEqual({ kind: "timeout", error: "exceeded execution timeout of 300ms" });
      expect(report.endedAt - report.startedAt).toBeGreaterThanOrEqual(290);
      expect(readFileSync(request.logPath, "utf8")).toContain("ERROR attempt timed out: exceeded execution timeout of 300ms");
    });

    it("cancels running and waiting attempts as failed, not retryable", async () => {
      const listener = new RecordingListener();
      executor = makeExecutor();
      await executor.start(listener);
      const requests = Array.from({ length: executor.capacity + 1 }, () => makeRequest({ bundlePath, logDir: `${dir}/logs`, taskId: "sleep" }));
      for (const r of requests) executor.submit(r);
      const first = requests[0]!;
      const last = requests.at(-1)!;
      await listener.startedOf(first.attemptId);
      executor.cancel(last.attemptId, "run cleared");
      const cancelledWaiting = await listener.finishedOf(last.attemptId);
      expect(cancelledWaiting.outcome).toEqual({ kind: "failed", retryable: false, error: "cancelled: run cleared" });
      expect(cancelledWaiting.pid).toBeNull();
      expect(listener.started_.map((s) => s.attemptId)).not.toContain(last.attemptId);
      for (const r of requests.slice(0, -1)) executor.cancel(r.attemptId, "run timed out");
      const reports = await listener.all(requests.slice(0, -1));
      for (const r of reports) expect(r.outcome).toEqual({ kind: "failed", retryable: false, error: "cancelled: run timed out" });
      expect(listener.reports).toHaveLength(requests.length);
    });
  });
}
