import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { AttemptRequest } from "../core/ports/executor.js";
import { makeRequest, tempDir, writeDagModule } from "./testing/dag-fixtures.js";

/**
 * Regression (issue 8, item 9): after a kill -9 of the scheduler, a worker busy in a CPU loop
 * finished its task after the retry had started elsewhere, and orphaned workers started the
 * attempts they had prefetched. The pool runs in its own process here (the compiled one in
 * dist/, as in production), so the test can kill -9 it.
 */
const TASKS = `{
  spinForever: { kind: "function", async run() { for (;;) {} } },
  spinThenMark: { kind: "function", async run(ctx) {
    const t0 = Date.now(); while (Date.now() - t0 < ctx.params.ms) {}
    (await import("node:fs")).writeFileSync(ctx.params.marker, "finished");
  } },
  mark: { kind: "function", async run(ctx) { (await import("node:fs")).writeFileSync(ctx.params.marker, "started"); } },
}`;

const EXECUTOR = resolve(import.meta.dirname, "../../dist/src/executor/local-process-executor.js");

/** The pool's process: two children, four attempts each; prints each start as a JSON line. */
function parentScript(requests: AttemptRequest[]): string {
  return `
import { LocalProcessExecutor } from ${JSON.stringify(EXECUTOR)};
const executor = new LocalProcessExecutor({ processes: 2, prefetch: 4 });
await executor.start({
  started(attemptId, at, pid) { console.log(JSON.stringify({ attemptId, pid })); },
  finished() {},
});
for (const request of ${JSON.stringify(requests)}) executor.submit(request);
`;
}

const orphans = new Set<number>();
afterAll(() => {
  for (const pid of orphans) if (alive(pid)) process.kill(pid, "SIGKILL");
});

/** Running (a zombie waiting for init to reap it counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  try {
    return readFileSync(stat, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}

function startedPids(parent: ChildProcess, count: number): Promise<number[]> {
  return new Promise((resolveStarted, reject) => {
    const pids = new Set<number>();
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the pool did not start ${count} attempts:\n${out}`)), 15_000);
    parent.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    parent.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      for (const line of out.split("\n")) {
        if (line.startsWith("{")) pids.add((JSON.parse(line) as { pid: number }).pid);
      }
      if (pids.size >= count) {
        clearTimeout(timer);
        resolveStarted([...pids]);
      }
    });
  });
}

describe("workers whose scheduler was killed (kill -9)", () => {
  it("stop at once: exit within a second, even in a CPU loop, and start none of their prefetched attempts", async () => {
    const dir = tempDir("baton-orphans-");
    const bundlePath = writeDagModule(dir, "d", TASKS);
    const markers = join(dir, "markers");
    mkdirSync(markers);
    const request = (taskId: string, params: Record<string, unknown>) => makeRequest({ bundlePath, logDir: join(dir, "logs"), taskId, params });
    const requests = [
      request("spinForever", {}),
      request("spinThenMark", { ms: 900, marker: join(markers, "finished") }),
      ...Array.from({ length: 6 }, (_, i) => request("mark", { marker: join(markers, `prefetched-${i}`) })),
    ];
    writeFileSync(join(dir, "parent.mjs"), parentScript(requests));
    const parent = spawn(process.execPath, [join(dir, "parent.mjs")], { stdio: ["ignore", "pipe", "pipe"] });
    const pids = await startedPids(parent, 2);
    for (const pid of pids) orphans.add(pid);
    await new Promise((r) => setTimeout(r, 100)); // both children are in their CPU loops
    const killedAt = Date.now();
    process.kill(parent.pid!, "SIGKILL");

    const deadline = killedAt + 1_500;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const exitDelayMs = Date.now() - killedAt;
    // Let a surviving child show what it would do next (finish its task, start prefetched ones).
    await new Promise((r) => setTimeout(r, 800));
    console.log(`workers gone ${exitDelayMs} ms after the kill -9 of their parent`);

    expect(pids.filter(alive), "worker pids still alive 1.5 s after their parent died").toEqual([]);
    expect(exitDelayMs).toBeLessThan(1_000);
    expect(existsSync(join(markers, "finished")), "the CPU-bound task finished after its parent died").toBe(false);
    expect(readdirSync(markers), "prefetched attempts started by orphaned workers").toEqual([]);
  }, 30_000);
});
