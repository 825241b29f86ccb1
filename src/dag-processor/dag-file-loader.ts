import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { BatonError } from "../core/errors.js";
import { silentLogger, type Logger } from "../core/ports/logger.js";
import { fileError, type LoadResult } from "./load-result.js";
import { CHILD_ENTRY, LoaderChild } from "./loader-child.js";

export interface LoaderOptions {
  /** Where compiled bundles are written (`${sha256}.mjs`); created if missing. */
  bundleDir: string;
  /** Longest a single file may take to bundle and import. Default 30 s. */
  timeoutMs?: number;
  /** Heap limit of each loader process in MB; 0: Node's default. Default 512. */
  memoryMb?: number;
  /** Files loaded at the same time, each in its own process. Default min(4, CPUs). */
  concurrency?: number;
  logger?: Logger;
}

interface Job {
  file: string;
  done: (result: LoadResult) => void;
}

/**
 * Loads DAG files in up to `concurrency` child processes at once, so that a file that hangs or
 * eats memory holds up only its own process. Each lane owns one process and takes the next
 * queued file when it is done; a lane ends, and its process with it, when the queue is empty, so
 * an idle loader holds no process.
 */
export class DagFileLoader {
  private readonly queue: Job[] = [];
  private lanes = 0;
  private readonly bundleDir: string;
  private readonly concurrency: number;

  constructor(private readonly opts: LoaderOptions) {
    this.bundleDir = resolve(opts.bundleDir);
    this.concurrency = opts.concurrency ?? Math.min(4, availableParallelism());
  }

  /** Never rejects for the file's sake: every failure of the file is an import error in the result. */
  load(file: string): Promise<LoadResult> {
    if (!existsSync(CHILD_ENTRY)) {
      return Promise.reject(new BatonError(`DAG processor child ${CHILD_ENTRY} is missing; build first with "npm run build"`));
    }
    return new Promise<LoadResult>((done) => {
      this.queue.push({ file: resolve(file), done });
      if (this.lanes < this.concurrency) void this.runLane();
    });
  }

  private async runLane(): Promise<void> {
    this.lanes++;
    const child = new LoaderChild({
      timeoutMs: this.opts.timeoutMs ?? 30_000,
      memoryMb: this.opts.memoryMb ?? 512,
      logger: this.opts.logger ?? silentLogger,
    });
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        try {
          job.done(await child.load(job.file, this.bundleDir));
        } catch (e) {
          // The process could not even be started (fork failed): still one result per file.
          job.done({ file: job.file, dags: [], errors: [fileError(job.file, `could not start the process loading this file: ${String(e)}`)] });
        }
      }
    } finally {
      child.close();
      this.lanes--;
    }
  }
}
