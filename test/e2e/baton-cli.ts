import { execFile, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const BIN = join(ROOT, "bin", "baton.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `baton` binary. */
export function baton(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function batonJson<T = unknown>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
}

/** Starts `baton standalone` and resolves once it says it is running. */
export function startStandalone(env: Record<string, string>, args: string[] = []): Promise<{ proc: ChildProcess; output: () => string }> {
  const proc = spawn(process.execPath, [BIN, "standalone", ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`standalone did not start:\n${out}`)), 30_000);
    proc.stdout!.on("data", () => {
      if (out.includes("Baton standalone is running")) {
        clearTimeout(timer);
        resolve({ proc, output: () => out });
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`standalone exited ${code}:\n${out}`));
    });
  });
}

/** Starts `baton <args>` (a long-running command) and resolves once its output contains `ready`. */
export function startBaton(args: string[], env: Record<string, string>, ready: string | RegExp): Promise<{ proc: ChildProcess; output: () => string }> {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const isReady = () => (typeof ready === "string" ? out.includes(ready) : ready.test(out));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`baton ${args.join(" ")} did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (isReady()) {
        clearTimeout(timer);
        resolve({ proc, output: () => out });
      }
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`baton ${args.join(" ")} exited ${code}:\n${out}`));
    });
  });
}

export function waitExit(proc: ChildProcess, timeoutMs = 30_000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    const t = setTimeout(() => reject(new Error("process did not exit")), timeoutMs);
    proc.on("exit", (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

export async function poll<T>(fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops a still-running process: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(proc: ChildProcess | undefined, graceMs = 15_000): Promise<void> {
  if (!proc || proc.exitCode !== null) return;
  proc.kill("SIGTERM");
  await waitExit(proc, graceMs).catch(async () => {
    proc.kill("SIGKILL");
    await waitExit(proc).catch(() => {});
  });
}
