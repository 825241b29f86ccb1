import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";

/** Largest piece read at once (a `log` message carries at most this many bytes). */
const CHUNK = 256 * 1024;
/** One read buffer for every spool: reads are synchronous and decoded (copied) at once, so none outlives its call. */
let shared: Buffer | null = null;
/** Folders already created by this process (one mkdir per folder, not per attempt). */
const made = new Set<string>();

/**
 * One attempt's log on the worker's disk (`<cacheDir>/logs/<n>-<attempt id>.log`): the task runner
 * writes it as it writes any attempt log (secrets it obtained already masked); the worker reads
 * what was added since the last read and streams it to the API server, then deletes the file once
 * the server has acknowledged the attempt's result.
 */
export class LogSpool {
  static #seq = 0;
  readonly path: string;
  #fd: number | null = null;
  #offset = 0;
  readonly #decoder = new StringDecoder("utf8");

  constructor(dir: string, attemptId: string) {
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    // The sequence keeps a re-sent attempt (same id) from sharing a file with its stopped predecessor.
    this.path = join(dir, `${process.pid}-${++LogSpool.#seq}-${encodeURIComponent(attemptId)}.log`);
  }

  /** What was written since the last call, as UTF-8 text ("" when nothing); at most ~256 KiB per call. */
  read(): string {
    return this.#readChunk().text;
  }

  /** Everything not read yet (at the end of the attempt), in pieces of at most ~256 KiB. */
  *rest(): Generator<string> {
    for (;;) {
      const { bytes, text } = this.#readChunk();
      if (text !== "") yield text;
      if (bytes === 0) break;
    }
    const tail = this.#decoder.end();
    if (tail !== "") yield tail;
  }

  #readChunk(): { bytes: number; text: string } {
    if (this.#fd === null) {
      // Not written yet: the task runner creates the file on its first write (most attempts print
      // nothing: asked without a failed open, whose error costs more than the call).
      if (!existsSync(this.path)) return { bytes: 0, text: "" };
      try {
        this.#fd = openSync(this.path, "r");
      } catch {
        return { bytes: 0, text: "" };
      }
    }
    const buffer = (shared ??= Buffer.allocUnsafe(CHUNK));
    const bytes = readSync(this.#fd, buffer, 0, CHUNK, this.#offset);
    this.#offset += bytes;
    // A character cut at the end of the chunk is held by the decoder until its other bytes come.
    return { bytes, text: bytes === 0 ? "" : this.#decoder.write(buffer.subarray(0, bytes)) };
  }

  /** Whether bytes were written that {@link read} has not returned yet. */
  hasUnread(): boolean {
    try {
      return statSync(this.path).size > this.#offset;
    } catch {
      return false;
    }
  }

  remove(): void {
    const opened = this.#fd !== null;
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    if (!opened && !existsSync(this.path)) return;
    try {
      unlinkSync(this.path);
    } catch {
      // Gone already.
    }
  }
}
