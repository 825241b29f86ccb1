import { fork } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Clock } from "../core/ports/clock.js";
import type { CallbackOutcome, CallbackRequest } from "../core/ports/executor.js";
import type { Logger } from "../core/ports/logger.js";
import { formatMs } from "./attempt-end.js";

export interface CallbackProcessesOptions {
  /** The callback child's entry (compiled JS). */
  entry: string;
  execArgv: string[];
  /** Callback children running at once; more wait in FIFO order. */
  max: number;
  clock: Clock;
  logger: Logger;
}

/**
 * Runs callback functions each in a fresh child process (`task-runner/callback-main.ts`), at most
 * `max` at once, so a callback that hangs or crashes costs neither a task slot nor the pool's
 * warm workers. A child past its time limit is killed (SIGKILL: it already had its chance) and
 * reported `timed_out`; one that dies without answering is `failed`. Never rejects.
 */
export class CallbackProcesses {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly opts: CallbackProcessesOptions) {}

  async run(request: CallbackRequest): Promise<CallbackOutcome> {
    if (this.#running >= this.opts.max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    try {
      return await this.#runChild(request);
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }

  #runChild(request: CallbackRequest): Promise<CallbackOutcome> {
    return new Promise<CallbackOutcome>((resolve) => {
      let settled: CallbackOutcome | null = null;
      const child = fork(this.opts.entry, [], { execArgv: this.opts.execArgv, serialization: "json", stdio: ["ignore", "pipe", "pipe", "ipc"] });
      const output = (data: Buffer) => this.#output(request, data);
      child.stdout?.on("data", output);
      child.stderr?.on("data", output);
      child.on("error", () => {});
      const settle = (outcome: CallbackOutcome) => {
        settled ??= outcome;
      };
      const cancelTimer = this.opts.clock.setTimer(request.timeoutMs, () => {
        settle({ status: "timed_out", error: `callback exceeded its time limit of ${formatMs(request.timeoutMs)} and was killed` });
        child.kill("SIGKILL");
      });
      child.on("message", (m: { outcome?: CallbackOutcome }) => {
        if (m.outcome) settle(m.outcome);
      });
      child.once("exit", (code, signal) => {
        cancelTimer();
        resolve(
          settled ?? {
            status: "failed",
            error: `callback process ${child.pid ?? "?"} ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before it finished`,
          },
        );
      });
      child.send({ callback: request });
    });
  }

  /** What the callback printed: into its log file when it has one, else the executor's log. */
  #output(request: CallbackRequest, data: Buffer): void {
    if (request.logPath !== null) {
      try {
        mkdirSync(dirname(request.logPath), { recursive: true });
        appendFileSync(request.logPath, data);
        return;
      } catch {
        // Fall through to the executor's log.
      }
    }
    this.opts.logger.info({ callbackId: request.callbackId, output: data.toString() }, "callback output");
  }
}
