import { spawn } from "node:child_process";
import type { ShellInvocation } from "../../sdk/definition.js";
import type { AttemptLog } from "./attempt-log.js";

export interface ShellResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last non-empty stdout line (Airflow pushes it as the task's value). */
  lastStdoutLine: string | null;
  lastStderrLine: string | null;
}

/** Process groups of running commands, killed if this process exits under them. */
const running = new Set<number>();
let exitHookInstalled = false;

/**
 * Runs `bash -c command` with `env` over process.env, streaming stdout and stderr into the
 * attempt log. The command gets its own process group, killed (SIGTERM, then SIGKILL) when
 * `signal` aborts, so pipelines and background jobs stop with it.
 */
export function runShell(invocation: ShellInvocation, log: AttemptLog, signal: AbortSignal): Promise<ShellResult> {
  installExitHook();
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", invocation.command], {
      cwd: invocation.cwd ?? undefined,
      env: { ...process.env, ...invocation.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const stdout = new LastLine();
    const stderr = new LastLine();
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    const stdoutLog = log.streamWriter("OUT");
    const stderrLog = log.streamWriter("ERR");
    child.stdout.on("data", (text: string) => {
      stdoutLog.write(text);
      stdout.push(text);
    });
    child.stderr.on("data", (text: string) => {
      stderrLog.write(text);
      stderr.push(text);
    });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      killGroup(pid, "SIGTERM");
      killTimer = setTimeout(() => killGroup(pid, "SIGKILL"), 2_000);
      killTimer.unref();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    const done = () => {
      if (pid !== undefined) running.delete(pid);
      signal.removeEventListener("abort", onAbort);
      clearTimeout(killTimer);
    };
    child.on("error", (e) => {
      done();
      reject(e);
    });
    child.on("close", (code, sig) => {
      done();
      stdoutLog.end();
      stderrLog.end();
      resolve({ code, signal: sig, lastStdoutLine: stdout.last(), lastStderrLine: stderr.last() });
    });
  });
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const pid of running) killGroup(pid, "SIGKILL");
  });
}

/** Tracks the last non-empty line of a stream without keeping the stream. */
class LastLine {
  #partial = "";
  #last: string | null = null;

  push(text: string): void {
    const lines = (this.#partial + text).split("\n");
    this.#partial = lines.pop() ?? "";
    if (this.#partial.length > 16 * 1024 * 1024) this.#partial = this.#partial.slice(-16 * 1024 * 1024);
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]!.replace(/\r$/, "");
      if (line.trim() !== "") {
        this.#last = line;
        break;
      }
    }
  }

  last(): string | null {
    const tail = this.#partial.replace(/\r$/, "");
    return tail.trim() !== "" ? tail : this.#last;
  }
}
