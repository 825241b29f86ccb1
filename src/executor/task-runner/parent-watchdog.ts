/**
 * Ends a task-runner child whose pool process died (kill -9, OOM killer, crash), even while the
 * task's own code holds the child's event loop in a CPU loop: an IPC 'disconnect' handler never
 * runs then, and the task would finish (or the next prefetched attempt start) after the
 * scheduler has already retried it elsewhere.
 *
 * A worker thread has its own event loop: it polls `process.ppid` (the kernel re-parents an
 * orphan at once, so the pid changes the moment the parent dies) and, after `graceMs` for the
 * main thread to exit by itself (and stop a shell command's process group on the way out),
 * SIGKILLs the whole process. Linux's PR_SET_PDEATHSIG would do this in the kernel but is not
 * reachable from Node without a native addon.
 */
import { isMainThread, Worker, workerData } from "node:worker_threads";

interface WatchdogData {
  role: "baton-parent-watchdog";
  ppid: number;
  intervalMs: number;
  graceMs: number;
}

/** Whether the process that started this one is gone (synchronous: one getppid call). */
export function parentGone(ppid: number): boolean {
  return process.ppid !== ppid;
}

/**
 * The pid of the pool that forked this child: passed as the first argument (so a pool that died
 * before the child ran is still noticed), else the current parent.
 */
export function poolPid(argv: readonly string[]): number {
  const given = Number(argv[2]);
  return Number.isInteger(given) && given > 0 ? given : process.ppid;
}

/**
 * Starts the watchdog thread; resolves once it runs (a thread starting under load can take
 * hundreds of milliseconds, and the first attempt must not start unguarded) or could not start.
 * It does not keep the process alive.
 */
export function watchParent(ppid: number, intervalMs = 100, graceMs = 200): Promise<void> {
  const data: WatchdogData = { role: "baton-parent-watchdog", ppid, intervalMs, graceMs };
  const worker = new Worker(new URL(import.meta.url), { workerData: data, stdout: true, stderr: true });
  worker.unref();
  return new Promise((online) => {
    worker.once("online", online);
    worker.once("error", () => online());
  });
}

function isWatchdog(data: unknown): data is WatchdogData {
  return typeof data === "object" && data !== null && (data as WatchdogData).role === "baton-parent-watchdog";
}

if (!isMainThread && isWatchdog(workerData)) {
  const { ppid, intervalMs, graceMs } = workerData;
  const poll = setInterval(() => {
    if (!parentGone(ppid)) return;
    clearInterval(poll);
    setTimeout(() => process.kill(process.pid, "SIGKILL"), graceMs);
  }, intervalMs);
}
