import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { TaskLogger } from "../../sdk/context.js";
import { formatLogLine, type LogLevel } from "../log-line.js";

/**
 * The log file of one attempt. Created on the first write, so an attempt that prints nothing
 * costs no file system call. Writes are synchronous: everything is on disk before the attempt
 * reports, and the pool may then append its own line.
 */
export class AttemptLog {
  #fd: number | null = null;

  constructor(readonly path: string) {}

  write(chunk: string | Uint8Array): void {
    if (this.#fd === null) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.#fd = openSync(this.path, "a");
    }
    if (typeof chunk === "string") writeSync(this.#fd, chunk);
    else writeSync(this.#fd, chunk);
  }

  line(level: LogLevel, msg: string, data?: Record<string, unknown>): void {
    this.write(formatLogLine(level, msg, data));
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  /** The `ctx.log` of the attempt. */
  taskLogger(): TaskLogger {
    return {
      debug: (msg, data) => this.line("DEBUG", msg, data),
      info: (msg, data) => this.line("INFO", msg, data),
      warn: (msg, data) => this.line("WARN", msg, data),
      error: (msg, data) => this.line("ERROR", msg, data),
    };
  }
}
