import { readFileSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Executor } from "../core/ports/executor.js";
import { InProcessExecutor } from "./in-process-executor.js";
import { LocalProcessExecutor } from "./local-process-executor.js";
import { makeRequest, RecordingListener, tempDir, writeDagModule } from "./testing/dag-fixtures.js";

// A shell task's output lines carry a timestamp like ctx.log's lines, so the UI's log pane shows
// when each was written (issue 12: "timestamps for shell tasks too").
const TASKS = `{
  sh: { kind: "shell", shell: () => ({ command: "echo first out; echo first err >&2; sleep 0.2; printf 'two\\\\nlines\\\\n'; printf 'no newline'", env: {}, cwd: null }) },
  fn: { kind: "function", async run(ctx) { ctx.log.info("from ctx.log", { n: 1 }); return null; } },
}`;

const TS = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

describe.each([
  ["LocalProcessExecutor", () => new LocalProcessExecutor({ processes: 1, killGraceMs: 200 })],
  ["InProcessExecutor", () => new InProcessExecutor({ echoOutput: false })],
] as const)("shell output lines in the attempt log (%s)", (_name, make) => {
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

  async function logOf(taskId: string, kind: "shell" | "function"): Promise<string> {
    const listener = new RecordingListener();
    executor = make();
    await executor.start(listener);
    const request = makeRequest({ bundlePath, logDir: `${dir}/logs`, taskId, kind });
    executor.submit(request);
    const report = await listener.finishedOf(request.attemptId);
    expect(report.outcome.kind).toBe("success");
    return readFileSync(request.logPath, "utf8");
  }

  it("writes each stdout line as `<ISO time> OUT <line>` and each stderr line as `<ISO time> ERR <line>`, like ctx.log's `<ISO time> INFO <msg>`", async () => {
    const lines = (await logOf("sh", "shell")).split("\n");
    expect(lines.pop()).toBe("");
    const body = lines.map((l) => l.replace(new RegExp(`^${TS} `), ""));
    expect(lines.every((l) => new RegExp(`^${TS} (OUT|ERR) `).test(l))).toBe(true);
    expect(body.filter((l) => l.startsWith("OUT "))).toEqual(["OUT first out", "OUT two", "OUT lines", "OUT no newline"]);
    expect(body.filter((l) => l.startsWith("ERR "))).toEqual(["ERR first err"]);
    // The time is when the line arrived: the lines after `sleep 0.2` are stamped later.
    const at = (text: string) => Date.parse(lines.find((l) => l.endsWith(text))!.slice(0, 24));
    expect(at("two") - at("first out")).toBeGreaterThanOrEqual(150);
    expect(await logOf("fn", "function")).toMatch(new RegExp(`^${TS} INFO from ctx.log \\{"n":1\\}\\n$`));
  });
});
