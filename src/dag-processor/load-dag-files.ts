import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { silentLogger, type Logger } from "../core/ports/logger.js";
import { fileError, type LoadRequest, type LoadResponse, type LoadResult } from "./load-result.js";
import { resolveDuplicateDags } from "./resolve-duplicate-dags.js";

export type { LoadResult } from "./load-result.js";

export interface LoadOptions {
  /** Where compiled bundles are written (`${sha256}.mjs`); created if missing. */
  bundleDir: string;
  /** Longest a single file may take to bundle and import. Default 30 s. */
  timeoutMs?: number;
  logger?: Logger;
}

const here = fileURLToPath(import.meta.url);
/** The child must run compiled: under vitest this module is .ts, so use its dist twin. */
const CHILD_ENTRY = here.endsWith(".ts")
  ? here.replace(/[\\/]src[\\/]dag-processor[\\/][^\\/]+\.ts$/, "/dist/src/dag-processor/child.js")
  : resolve(here, "../child.js");
const STDERR_TAIL = 2_000;

/**
 * Loads DAG files in a child process, one file at a time, and returns one result per file in
 * the given order. A file that hangs is killed after `timeoutMs` and reported; a file that makes
 * the child exit is reported; either way the child is restarted for the remaining files. DAG ids
 * defined by several files are kept in the first file and reported in all of them.
 */
export async function loadDagFiles(files: string[], opts: LoadOptions): Promise<LoadResult[]> {
  return resolveDuplicateDags(await loadDagFilesEach(files, opts));
}

/** Like {@link loadDagFiles} without the cross-file duplicate check (DagSync does it over all files). */
export async function loadDagFilesEach(files: string[], opts: LoadOptions): Promise<LoadResult[]> {
  if (files.length === 0) return [];
  if (!existsSync(CHILD_ENTRY)) {
    throw new Error(`DAG processor child ${CHILD_ENTRY} is missing; build first with "npm run build"`);
  }
  const bundleDir = resolve(opts.bundleDir);
  await mkdir(bundleDir, { recursive: true });
  const runner = new ChildRunner(opts.timeoutMs ?? 30_000, opts.logger ?? silentLogger);
  try {
    const results: LoadResult[] = [];
    for (const f of files) results.push(await runner.load(resolve(f), bundleDir));
    return results;
  } finally {
    runner.close();
  }
}

/** One child at a time; replaced when it times out or dies. */
class ChildRunner {
  private child: ChildProcess | null = null;
  private stderr = "";
  private nextId = 1;

  constructor(
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  load(file: string, bundleDir: string): Promise<LoadResult> {
    const child = this.ensureChild();
    const id = this.nextId++;
    this.stderr = "";
    return new Promise<LoadResult>((done) => {
      const finish = (result: LoadResult) => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        done(result);
      };
      const onMessage = (m: LoadResponse) => {
        if (m.id === id) finish(m.result);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        this.child = null;
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const tail = this.stderr.trim() ? `; its stderr ended with:\n${this.stderr.trim()}` : "";
        finish({ file, dags: [], errors: [fileError(file, `the process loading this file ${how} (does the file call process.exit?)${tail}`)] });
      };
      const timer = setTimeout(() => {
        this.kill();
        const seconds = this.timeoutMs / 1000;
        finish({
          file,
          dags: [],
          errors: [
            fileError(
              file,
              `loading timed out after ${seconds}s and was stopped; a DAG file must import quickly: ` +
                `move slow work (network calls, big reads, loops) into tasks, or raise the DAG file timeout`,
            ),
          ],
        });
      }, this.timeoutMs);
      child.on("message", onMessage);
      child.once("exit", onExit);
      const request: LoadRequest = { id, file, bundleDir };
      child.send(request);
    });
  }

  close(): void {
    this.kill();
  }

  private kill(): void {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.removeAllListeners("exit");
      child.kill("SIGKILL");
    }
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    const child = fork(CHILD_ENTRY, [], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      execArgv: ["--enable-source-maps"],
      serialization: "json",
    });
    child.stdout?.on("data", (chunk: Buffer) => this.logger.debug({ output: chunk.toString() }, "DAG file output"));
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-STDERR_TAIL);
    });
    child.on("error", (e) => this.logger.warn({ err: e }, "DAG processor child error"));
    child.on("exit", () => {
      if (this.child === child) this.child = null;
    });
    this.child = child;
    return child;
  }
}
