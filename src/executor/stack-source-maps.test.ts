import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallbackRequest, Executor } from "../core/ports/executor.js";
import { HEADER, Harness } from "../../test/support/harness.js";
import { LocalProcessExecutor } from "./local-process-executor.js";
import { makeRequest, RecordingListener, tempDir } from "./testing/dag-fixtures.js";

// Regression, issue 13 item A: errors thrown by DAG code named the bundle
// (`…/bundles/<sha256>.mjs:44:103`); they name the DAG file's .ts line, in every process that runs
// DAG code (pool children, callback children) and wherever the bundle
// is copied (a remote worker keeps it in its own cache folder).

// Line numbers matter (HEADER is line 1): the second failure callback throws on line 6, "bad" on line 9.
const DAG = `${HEADER}export default dag({ id: "stk", onFailure: [
  () => {},
  () => {
    const where: string = "callback";
    throw new Error("the " + where + " broke on line 6");
  },
] }, (d) => {
  d.task("bad", async () => { throw new RangeError("task broke on line 9"); });
});
`;

let h: Harness;
let bundlePath: string;
let file: string;
beforeAll(async () => {
  h = new Harness({ "stk.ts": DAG });
  expect((await h.load()).errors).toEqual([]);
  bundlePath = (await h.store.getDagVersion((await h.store.getDag("stk"))!.latestVersion))!.bundlePath;
  file = join(h.dagsDir, "stk.ts");
}, 60_000);
afterAll(() => h?.dispose());

function expectTaskFrame(text: string): void {
  expect(text).toContain("RangeError: task broke on line 9");
  expect(text).toContain(`${file}:9:`);
  expect(text).not.toMatch(/\.mjs:\d+/);
}

async function runBad(executor: Executor, bundle: string): Promise<{ error: string; log: string }> {
  const listener = new RecordingListener();
  await executor.start(listener);
  try {
    const request = makeRequest({ bundlePath: bundle, logDir: tempDir(), dagId: "stk", taskId: "bad" });
    executor.submit(request);
    const { outcome } = await listener.finishedOf(request.attemptId);
    expect(outcome.kind).toBe("failed");
    return { error: "error" in outcome ? outcome.error : "", log: readFileSync(request.logPath, "utf8") };
  } finally {
    await executor.shutdown(1_000);
  }
}

describe("stack traces of DAG code name the .ts file and line", () => {
  it("a pool child, running the bundle copied to another folder (as a remote worker's cache does)", async () => {
    const copy = join(tempDir("baton-bundle-cache-"), "0123456789abcdef-copy.mjs");
    copyFileSync(bundlePath, copy);
    const { error, log } = await runBad(new LocalProcessExecutor({ processes: 1, prefetch: 1, killGraceMs: 200 }), copy);
    expectTaskFrame(error);
    expectTaskFrame(log);
  });

  // The in-process executor (baton dags test, tasks test) is checked by the real CLI in
  // test/e2e/task-stack-source-maps.test.ts: vitest turns source maps on in its own process.

  it("the bundle's inline map names the DAG file by its absolute file: URL", () => {
    const base64 = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(readFileSync(bundlePath, "utf8"))?.[1];
    const map = JSON.parse(Buffer.from(base64 ?? "", "base64").toString()) as { sources: string[] };
    expect(map.sources).toEqual([pathToFileURL(file).href]);
  });

  it("a callback child: the callback's error and its log", async () => {
    const executor = new LocalProcessExecutor({ processes: 1, prefetch: 1, callbackProcesses: 1 });
    await executor.start({ started() {}, finished() {} });
    try {
      const logPath = join(h.logsDir, "callback-1.log");
      const request: CallbackRequest = {
        callbackId: "1/bad/-1/1/failure#1",
        bundlePath,
        dagId: "stk",
        index: 1,
        context: {
          event: "failure",
          dagId: "stk",
          runId: "r1",
          logicalDate: null,
          taskId: "bad",
          mapIndex: -1,
          tryNumber: 1,
          state: "failed",
          error: { message: "boom", stack: null },
          runUrl: "http://127.0.0.1:8080/dags/stk/grid?run=r1",
          logUrl: null,
          params: {},
          conf: {},
        },
        timeoutMs: 10_000,
        logPath,
      };
      const outcome = await executor.runCallback(request);
      expect(outcome.status).toBe("failed");
      for (const text of [(outcome as { error: string }).error, readFileSync(logPath, "utf8")]) {
        expect(text).toContain("Error: the callback broke on line 6");
        expect(text).toContain(`${file}:6:`);
        expect(text).not.toMatch(/\.mjs:\d+/);
      }
    } finally {
      await executor.shutdown(1_000);
    }
  });
});
