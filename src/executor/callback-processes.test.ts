import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallbackRequest } from "../core/ports/executor.js";
import { HEADER, Harness } from "../../test/support/harness.js";
import { LocalProcessExecutor } from "./local-process-executor.js";

// Callback functions in the local pool: each runs in a fresh child process (dist/, built first),
// so one that hangs is killed at its time limit and one that exits costs nothing but itself.

let h: Harness;
let executor: LocalProcessExecutor;
let bundlePath: string;
beforeAll(async () => {
  h = new Harness({
    "cb.ts": `${HEADER}export default dag({ id: "cb", onFailure: [
      (ctx) => { console.log("callback saw " + ctx.event + " of " + ctx.taskId + " try " + ctx.tryNumber); ctx.log.info("from ctx.log", { region: ctx.params.region }); },
      () => { throw new Error("the callback broke"); },
      () => { for (;;) {} },
      () => { process.exit(3); },
    ] }, (d) => { d.task("t", () => 1); });\n`,
  });
  const loaded = await h.load();
  expect(loaded.errors).toEqual([]);
  bundlePath = (await h.store.getDagVersion((await h.store.getDag("cb"))!.latestVersion))!.bundlePath;
  executor = new LocalProcessExecutor({ processes: 1, prefetch: 1, callbackProcesses: 2 });
  await executor.start({ started() {}, finished() {} });
}, 60_000);
afterAll(async () => {
  await executor?.shutdown(1_000);
  await h?.dispose();
});

function request(index: number, timeoutMs = 10_000): CallbackRequest {
  return {
    callbackId: `1/t/-1/1/failure#${index}`,
    bundlePath,
    dagId: "cb",
    index,
    context: {
      event: "failure",
      dagId: "cb",
      runId: "r1",
      logicalDate: null,
      taskId: "t",
      mapIndex: -1,
      tryNumber: 1,
      state: "failed",
      error: { message: "boom", stack: null },
      runUrl: "http://127.0.0.1:8080/dags/cb/grid?run=r1",
      logUrl: null,
      params: { region: "eu" },
      conf: {},
    },
    timeoutMs,
    logPath: join(h.logsDir, `callback-${index}.log`),
  };
}

describe("callback functions in the local pool", () => {
  it("runs one in a worker process; what it prints and logs goes to its log file", async () => {
    expect(await executor.runCallback(request(0))).toEqual({ status: "ok" });
    const log = readFileSync(join(h.logsDir, "callback-0.log"), "utf8");
    expect(log).toContain("callback saw failure of t try 1");
    expect(log).toContain('from ctx.log {"region":"eu"}');
  });

  it("a callback that throws is failed with its stack; one that hangs is killed at its time limit; one that exits is failed", async () => {
    const thrown = await executor.runCallback(request(1));
    expect(thrown).toMatchObject({ status: "failed" });
    expect((thrown as { error: string }).error).toMatch(/the callback broke\n\s+at /);

    const started = Date.now();
    const hung = await executor.runCallback(request(2, 1_000));
    expect(hung).toEqual({ status: "timed_out", error: "callback exceeded its time limit of 1s and was killed" });
    expect(Date.now() - started).toBeLessThan(5_000);

    expect(await executor.runCallback(request(3))).toEqual({ status: "failed", error: expect.stringMatching(/exited with code 3 before it finished/) });
    // The task pool was never involved: it still runs attempts.
    expect(executor.capacity).toBe(1);
  });
});
