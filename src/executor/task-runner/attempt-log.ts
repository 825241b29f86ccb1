import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { SecretMasker } from "../../core/secrets/mask-text.js";
import type { TaskLogger } from "../../sdk/context.js";
import { formatLogLine, prefixLines, type LogLevel, type OutputStream } from "../log-line.js";

/**
 * The log file of one attempt. Created on the first write, so an attempt that prints nothing
 * costs no file system call. Writes are synchronous: everything is on disk before the attempt
 * reports, and the pool may then append its own line.
 *
 * Every secret the attempt obtained (see {@link addSecrets}) is written as `***`, whatever
 * path the text takes: `ctx.log`, console and stream output, shell output.
 *
 * A write that fails (disk full, read-only or failing file system) never fails the task's code:
 * it is counted in {@link lost}, and {@link close} notes once how many writes were lost, if the
 * log can take that line by then.
 */
export class AttemptLog {
  #fd: number | null = null;
  readonly #masker = new SecretMasker();
  #lost: LostWrites | null = null;

  /** `tap` hears every chunk written, secrets masked, as it is written (`baton dags test` shows it live). */
  constructor(
    readonly path: string,
    private readonly tap: ((chunk: string) => void) | null = null,
  ) {}

  /** From now on, these values are masked in everything written to this log. */
  addSecrets(values: Iterable<string>): void {
    this.#masker.add(values);
  }

  /** `text` with this attempt's secrets masked. */
  mask(text: string): string {
    return this.#masker.mask(text);
  }

  get hasSecrets(): boolean {
    return !this.#masker.empty;
  }

  /**
   * A writer for one output stream of a shell command: every line is written whole, prefixed
   * like a `ctx.log` line with the time it arrived and `OUT` (stdout) or `ERR` (stderr) —
   * `2026-11-21T08:00:00.123Z OUT text` (src/executor/log-line.ts). Whole lines keep the two
   * streams from splitting each other's lines and mask a secret split across two chunks; a line
   * still open at 64 KiB is written as it is, and the rest of it on the next line. Call end() at EOF.
   */
  streamWriter(stream: OutputStream): { write(text: string): void; end(): void } {
    let pending = "";
    const flush = (text: string) => this.write(prefixLines(text, stream));
    return {
      write: (text) => {
        pending += text;
        const nl = pending.lastIndexOf("\n");
        if (nl >= 0) {
          flush(pending.slice(0, nl + 1));
          pending = pending.slice(nl + 1);
        }
        if (pending.length > 64 * 1024) {
          flush(`${pending}\n`);
          pending = "";
        }
      },
      end: () => {
        if (pending !== "") flush(`${pending}\n`);
        pending = "";
      },
    };
  }

  write(chunk: string | Uint8Array): void {
    if (!this.#masker.empty) chunk = this.#masker.mask(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    this.tap?.(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    try {
      this.#append(chunk);
    } catch (e) {
      if (this.#lost === null) this.#lost = { writes: 0, error: describeWriteError(e) };
      this.#lost.writes++;
    }
  }

  /** Writes that failed so far, and the first error; null when none did. */
  get lost(): LostWrites | null {
    return this.#lost === null ? null : { ...this.#lost };
  }

  #append(chunk: string | Uint8Array): void {
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

  /** Notes the lost writes (once, if the log takes the line now) and closes the file. */
  close(): void {
    if (this.#lost !== null) {
      const { writes, error } = this.#lost;
      try {
        this.#append(formatLogLine("WARN", `${writes} write(s) to this log were lost: ${error}`));
      } catch {
        // Still failing: the executor reports the loss instead.
      }
    }
    try {
      if (this.#fd !== null) closeSync(this.#fd);
    } catch {
      // A failed close loses nothing more than the writes already counted.
    }
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

/** Writes to an attempt log that failed. */
export interface LostWrites {
  writes: number;
  /** The first failure, e.g. `ENOSPC: no space left on device, write`. */
  error: string;
}

function describeWriteError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
