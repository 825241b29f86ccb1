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
 *
 * Lease keep-alive (docs/adr/0007): a pool whose scheduler holds a lease writes "you may run for
 * N more ms" lines to the child's fd 4 on every heartbeat. The thread reads them itself (the main
 * thread may be stuck in the task's code and never see an IPC message); once a deadline has been
 * given and passes without a new one, the scheduler may have lost its lease (paused, partitioned)
 * and another may re-run this attempt, so the child stops: SIGTERM (the attempt is aborted, a shell
 * command's process group killed), SIGKILL after `graceMs`. No line ever written: no deadline.
 */
import { Socket } from "node:net";
import { isMainThread, Worker, workerData } from "node:worker_threads";

/** The child's file descriptor the pool writes keep-alive lines to. */
export const KEEP_ALIVE_FD = 4;

interface WatchdogData {
  role: "baton-parent-watchdog";
  ppid: number;
  intervalMs: number;
  graceMs: number;
  keepAliveFd: number | null;
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
export function watchParent(ppid: number, intervalMs = 100, graceMs = 200, keepAliveFd: number | null = null): Promise<void> {
  const data: WatchdogData = { role: "baton-parent-watchdog", ppid, intervalMs, graceMs, keepAliveFd };
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

/** The deadline the last complete keep-alive line in `buffered` gives, and what is left over. */
export function readKeepAlive(buffered: string, now: number): { deadline: number | null; rest: string } {
  const lines = buffered.split("\n");
  const rest = lines.pop() ?? "";
  let deadline: number | null = null;
  for (const line of lines) {
    const ms = Number(line);
    if (line !== "" && Number.isFinite(ms)) deadline = now + ms;
  }
  return { deadline, rest };
}

if (!isMainThread && isWatchdog(workerData)) {
  const { ppid, intervalMs, graceMs, keepAliveFd } = workerData;
  let deadline: number | null = null;
  let input: Socket | null = null;
  if (keepAliveFd !== null) {
    try {
      let buffered = "";
      input = new Socket({ fd: keepAliveFd, readable: true, writable: false });
      input.setEncoding("utf8");
      input.on("data", (chunk: string) => {
        const read = readKeepAlive(buffered + chunk, Date.now());
        buffered = read.rest;
        if (read.deadline !== null) deadline = read.deadline;
      });
      input.on("error", () => {});
    } catch {
      input = null; // no such descriptor: started outside a pool that sends keep-alives
    }
  }
  const poll = setInterval(() => {
    if (parentGone(ppid)) {
      clearInterval(poll);
      setTimeout(() => process.kill(process.pid, "SIGKILL"), graceMs);
      return;
    }
    if (deadline === null || Date.now() <= deadline) return;
    clearInterval(poll);
    input?.destroy();
    process.kill(process.pid, "SIGTERM");
    setTimeout(() => process.kill(process.pid, "SIGKILL"), graceMs);
  }, intervalMs);
}
