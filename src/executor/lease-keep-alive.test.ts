import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { AttemptRequest } from "../core/ports/executor.js";
import { makeRequest, tempDir, writeDagModule } from "./testing/dag-fixtures.js";

/**
 * Issue 9: a scheduler paused past its lease (kill -STOP) must not have workers still running
 * its attempts when another scheduler adopts them. The pool (compiled, in its own process, as in
 * production) renews a 600 ms keep-alive every 150 ms; once it is stopped the children stop
 * themselves, even in a CPU loop, while a CPU-bound task longer than the keep-alive finishes as
 * long as the pool is alive.
 */
const TASKS = `{
  spinThenMark: { kind: "function", async run(ctx) {
    const t0 = Date.now(); while (Date.now() - t0 < ctx.params.ms) {}
    (await import("node:fs")).writeFileSync(ctx.params.marker, "finished");
  } },
}`;

const EXECUTOR = resolve(import.meta.dirname, "../../dist/src/executor/local-process-executor.js");

function parentScript(requests: AttemptRequest[]): string {
  return `
import { LocalProcessExecutor } from ${JSON.stringify(EXECUTOR)};
const executor = new LocalProcessExecutor({ processes: 2, prefetch: 1 });
executor.keepAlive(600);
setInterval(() => executor.keepAlive(600), 150);
await executor.start({
  started(attemptId, at, pid) { console.log(JSON.stringify({ attemptId, pid })); },
  finished(report) { console.log(JSON.stringify({ finished: report.attemptId, kind: report.outcome.kind })); },
});
for (const request of ${JSON.stringify(requests)}) executor.submit(request);
`;
}

const pids = new Set<number>();
let parent: ChildProcess | undefined;
afterAll(() => {
  if (parent?.pid) {
    process.kill(parent.pid, "SIGCONT");
    parent.kill("SIGKILL");
  }
  for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}

function lines(p: ChildProcess): { text(): string; until(pred: (l: Record<string, unknown>[]) => boolean, ms: number): Promise<Record<string, unknown>[]> } {
  let out = "";
  p.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  p.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const parsed = () =>
    out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    text: () => out,
    until: async (pred, ms) => {
      const end = Date.now() + ms;
      while (!pred(parsed())) {
        if (Date.now() > end) throw new Error(`timed out; output:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return parsed();
    },
  };
}

describe("workers of a scheduler that stops renewing its lease keep-alive", () => {
  it("finish CPU-bound work longer than the keep-alive while it is renewed, and stop by themselves once the pool is paused", async () => {
    const dir = tempDir("baton-keepalive-");
    const bundlePath = writeDagModule(dir, "d", TASKS);
    const markers = join(dir, "markers");
    mkdirSync(markers);
    const request = (name: string, ms: number) =>
      makeRequest({ bundlePath, logDir: join(dir, "logs"), taskId: "spinThenMark", params: { ms, marker: join(markers, name) } });
    const first = request("renewed", 1_500);
    writeFileSync(join(dir, "parent.mjs"), parentScript([first]));
    parent = spawn(process.execPath, [join(dir, "parent.mjs")], { stdio: ["ignore", "pipe", "pipe"] });
    const out = lines(parent);
    const done = await out.until((ls) => ls.some((l) => l.finished === first.attemptId), 20_000);
    expect(done.find((l) => l.finished === first.attemptId)?.kind).toBe("success");
    expect(existsSync(join(markers, "renewed"))).toBe(true);

    // Now the second attempt: it spins 3 s; the pool is stopped 200 ms in.
    const second = request("paused", 3_000);
    writeFileSync(join(dir, "parent2.mjs"), parentScript([second]));
    parent.kill("SIGKILL");
    parent = spawn(process.execPath, [join(dir, "parent2.mjs")], { stdio: ["ignore", "pipe", "pipe"] });
    const out2 = lines(parent);
    const started = await out2.until((ls) => ls.some((l) => l.attemptId === second.attemptId), 20_000);
    const pid = started.find((l) => l.attemptId === second.attemptId)!.pid as number;
    pids.add(pid);
    await new Promise((r) => setTimeout(r, 200));
    const stoppedAt = Date.now();
    process.kill(parent.pid!, "SIGSTOP");
    while (alive(pid) && Date.now() - stoppedAt < 3_000) await new Promise((r) => setTimeout(r, 10));
    const goneAfterMs = Date.now() - stoppedAt;
    console.log(`worker gone ${goneAfterMs} ms after its pool was stopped (keep-alive 600 ms)`);
    expect(alive(pid), "the worker still runs 3 s after its pool stopped renewing").toBe(false);
    expect(goneAfterMs).toBeLessThan(1_500);
    await new Promise((r) => setTimeout(r, 3_200));
    expect(existsSync(join(markers, "paused")), "the attempt went on after the keep-alive ran out").toBe(false);
  }, 60_000);
});
