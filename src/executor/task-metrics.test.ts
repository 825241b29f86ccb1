import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Executor } from "../core/ports/executor.js";
import { InProcessExecutor } from "./in-process-executor.js";
import { LocalProcessExecutor } from "./local-process-executor.js";
import { makeRequest, RecordingListener, tempDir, writeDagModule } from "./testing/dag-fixtures.js";
import { TaskMetrics } from "./task-runner/task-metrics.js";

const TASKS = `{
  rows: { kind: "function", async run(ctx) { ctx.metric("rows", 10); ctx.metric("rows", 1200); ctx.metric("bytes.out", 3.5); return "ok"; } },
  none: { kind: "function", async run() { return 1; } },
  badName: { kind: "function", async run(ctx) { ctx.metric("duration", 1); } },
  badValue: { kind: "function", async run(ctx) { ctx.metric("rows", Number.NaN); } },
  failsAfter: { kind: "function", async run(ctx) { ctx.metric("rows", 5); throw new Error("boom"); } },
}`;

// The local pool runs the compiled task runner: `npx tsc -p tsconfig.build.json` first.
for (const [name, make] of [
  ["InProcessExecutor", () => new InProcessExecutor({ concurrency: 1, echoOutput: false })],
  ["LocalProcessExecutor", () => new LocalProcessExecutor({ processes: 1, prefetch: 1, killGraceMs: 500 })],
] as Array<[string, () => Executor]>) {
  describe(`ctx.metric through the ${name}`, () => {
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
    async function run(taskId: string) {
      const listener = new RecordingListener();
      executor = make();
      await executor.start(listener);
      const request = makeRequest({ bundlePath, logDir: `${dir}/logs`, taskId });
      executor.submit(request);
      return (await listener.finishedOf(request.attemptId)).outcome;
    }

    it("a success carries the metrics reported, the last value of a name winning", async () => {
      expect(await run("rows")).toEqual({ kind: "success", output: '"ok"', metrics: { rows: 1200, "bytes.out": 3.5 } });
      expect(await run("none")).toEqual({ kind: "success", output: "1" });
    });

    it("a bad name or value fails the attempt with a message; a failure carries none", async () => {
      expect(await run("badName")).toMatchObject({ kind: "failed", error: expect.stringContaining('"duration" is reserved') });
      expect(await run("badValue")).toMatchObject({ kind: "failed", error: expect.stringContaining("must be a finite number; got NaN") });
      const failed = await run("failsAfter");
      expect(failed.kind).toBe("failed");
      expect(failed).not.toHaveProperty("metrics");
    });
  });
}

describe("TaskMetrics", () => {
  it("checks names and caps the count", () => {
    const m = new TaskMetrics();
    expect(() => m.set("9rows", 1)).toThrow(/starting with a letter/);
    expect(() => m.set("a".repeat(65), 1)).toThrow(TypeError);
    expect(() => m.set("rows", Infinity)).toThrow(/finite/);
    for (let i = 0; i < 50; i++) m.set(`m${i}`, i);
    m.set("m0", 7); // replacing is fine at the cap
    expect(() => m.set("m50", 1)).toThrow(/at most 50/);
    expect(m.attachTo({ kind: "success", output: null })).toMatchObject({ metrics: { m0: 7, m49: 49 } });
    expect(m.attachTo({ kind: "skipped", reason: "x" })).toEqual({ kind: "skipped", reason: "x" });
  });
});
