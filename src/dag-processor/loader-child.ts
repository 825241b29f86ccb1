import { fork, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../core/ports/logger.js";
import { childExitCause, OUT_OF_MEMORY } from "./child-exit-cause.js";
import { EXIT_CALLED_MARKER, fileError, type LoadRequest, type LoadResponse, type LoadResult } from "./load-result.js";

const here = fileURLToPath(import.meta.url);
/** The child must run compiled: under vitest this module is .ts, so use its dist twin. */
export const CHILD_ENTRY = here.endsWith(".ts")
  ? here.replace(/[\\/]src[\\/]dag-processor[\\/][^\\/]+\.ts$/, "/dist/src/dag-processor/child.js")
  : resolve(here, "../child.js");
const STDERR_TAIL = 2_000;

export interface LoaderChildOptions {
  /** Longest a single file may take to bundle and import. */
  timeoutMs: number;
  /** V8 heap limit of the child (`--max-old-space-size`); 0: Node's default. */
  memoryMb: number;
  logger: Logger;
}

/**
 * One loader process, loading one file at a time. A file that hangs is killed after `timeoutMs`;
 * a file that ends the process (out of memory, `process.exit`, a signal) is reported by that
 * cause; either way the next load starts a fresh process.
 */
/** A running loader process and what it wrote to stderr during the current load. */
interface Running {
  process: ChildProcess;
  stderr: string;
  outOfMemory: boolean;
}

export class LoaderChild {
  private running: Running | null = null;
  private nextId = 1;

  constructor(private readonly opts: LoaderChildOptions) {}

  load(file: string, bundleDir: string): Promise<LoadResult> {
    const running = this.ensureRunning();
    const child = running.process;
    const id = this.nextId++;
    running.stderr = "";
    running.outOfMemory = false;
    return new Promise<LoadResult>((done) => {
      const finish = (result: LoadResult) => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("close", onClose);
        done(result);
      };
      const fail = (message: string) => finish({ file, dags: [], errors: [fileError(file, message)] });
      const onMessage = (m: LoadResponse) => {
        if (m.id === id) finish(m.result);
      };
      // "close", not "exit": by then stderr is fully read, marker and out-of-memory line included.
      const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.running === running) this.running = null;
        const exitCalled = running.stderr.includes(EXIT_CALLED_MARKER);
        const stderrTail = running.stderr.replaceAll(EXIT_CALLED_MARKER, "");
        fail(childExitCause({ code, signal, outOfMemory: running.outOfMemory, exitCalled, stderrTail }, this.opts.memoryMb));
      };
      const timer = setTimeout(() => {
        this.close();
        fail(
          `loading timed out after ${this.opts.timeoutMs / 1000} s and was stopped; a DAG file must import quickly: ` +
            `move slow work (network calls, big reads, loops) into tasks, or raise BATON_DAG_FILE_TIMEOUT_MS`,
        );
      }, this.opts.timeoutMs);
      child.on("message", onMessage);
      child.once("close", onClose);
      const request: LoadRequest = { id, file, bundleDir };
      child.send(request);
    });
  }

  /** Kills the process, if any. */
  close(): void {
    const child = this.running?.process;
    this.running = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.removeAllListeners("close");
      child.kill("SIGKILL");
    }
  }

  private ensureRunning(): Running {
    if (this.running) return this.running;
    const memory = this.opts.memoryMb > 0 ? [`--max-old-space-size=${this.opts.memoryMb}`] : [];
    const child = fork(CHILD_ENTRY, [], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      execArgv: ["--enable-source-maps", ...memory],
      serialization: "json",
    });
    const running: Running = { process: child, stderr: "", outOfMemory: false };
    child.stdout?.on("data", (chunk: Buffer) => this.opts.logger.debug({ output: chunk.toString() }, "DAG file output"));
    child.stderr?.on("data", (chunk: Buffer) => {
      running.stderr = (running.stderr + chunk.toString()).slice(-STDERR_TAIL);
      // Checked on every chunk: V8's native stack trace that follows would push the line out of the tail.
      if (OUT_OF_MEMORY.test(running.stderr)) running.outOfMemory = true;
    });
    child.on("error", (e) => this.opts.logger.warn({ err: e }, "DAG processor child error"));
    child.on("exit", () => {
      if (this.running === running) this.running = null;
    });
    this.running = running;
    return running;
  }
}
