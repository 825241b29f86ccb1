import { fork, type ChildProcess } from "node:child_process";
import { setPriority } from "node:os";
import { resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { ImportWarningRecord } from "../core/model/records.js";
import type { Clock } from "../core/ports/clock.js";
import type { Logger } from "../core/ports/logger.js";
import type { Store } from "../core/ports/store.js";
import type { DagTypeCheck } from "./type-check-dags.js";

/** What the type-check child sends back. */
export type TypeCheckMessage = { kind: "checked"; result: DagTypeCheck; ms: number } | { kind: "no-typescript" } | { kind: "failed"; error: string };

const here = fileURLToPath(import.meta.url);
/** The child's entry: compiled next to this file (from the sources, as under vitest: the build's). */
export const TYPE_CHECK_CHILD = here.endsWith(".ts")
  ? here.replace(/[\\/]src[\\/]cli[\\/][^\\/]+\.ts$/, "/dist/src/cli/type-check-child.js")
  : resolve(here, "../type-check-child.js");

export interface DagTypeWatchOptions {
  dagsDir: string;
  store: Pick<Store, "replaceImportWarnings" | "listImportWarnings">;
  clock: Clock;
  logger: Logger;
  /** Wait this long after the last change before checking (changes meanwhile restart the wait). Default 1 s. */
  debounceMs?: number;
  /** A check still running after this long is killed (and its warnings left as they were). Default 5 min. */
  timeoutMs?: number;
}

/** One finished check. */
export interface TypeWatchOutcome {
  /** false when `typescript` is not installed (nothing is checked again) or the check failed. */
  checked: boolean;
  files: number;
  warnings: number;
  /** The compiler's own time in the child; `wallMs` adds the child's start. */
  ms: number;
  wallMs: number;
}

/**
 * The background type check of the DAG folder (docs/authoring.md, "Type errors as import
 * warnings"): after each DAG sync that changed files, debounced, `baton dags check`'s compiler
 * pass runs in a child process at low priority, off the scheduler's path, and its diagnostics
 * replace the folder's import warnings (`store.replaceImportWarnings`, file by file, only where they
 * changed). A warning never refuses a DAG: loading and scheduling do not wait for or read them.
 * Without the `typescript` package it logs that once and stops checking.
 */
export class DagTypeWatch {
  readonly #dagsDir: string;
  #timer: (() => void) | null = null;
  #child: ChildProcess | null = null;
  #running: Promise<TypeWatchOutcome> | null = null;
  #again = false;
  #stopped = false;
  #disabled = false;
  /** File → signature of the warnings written for it; null until the store's were read. */
  #written: Map<string, string> | null = null;

  constructor(private readonly opts: DagTypeWatchOptions) {
    this.#dagsDir = resolve(opts.dagsDir);
  }

  /** Asks for a check soon: after the debounce, or after the check under way. */
  schedule(): void {
    if (this.#stopped || this.#disabled) return;
    this.#timer?.();
    this.#timer = this.opts.clock.setTimer(this.opts.debounceMs ?? 1_000, () => {
      this.#timer = null;
      if (this.#running) {
        this.#again = true;
        return;
      }
      void this.checkNow();
    });
  }

  /** Checks now (or joins the check under way); never rejects. */
  checkNow(): Promise<TypeWatchOutcome> {
    if (this.#running) return this.#running;
    const run = this.#check()
      .catch((e: unknown) => {
        this.opts.logger.warn({ err: e }, "DAG type check failed; import warnings left as they were");
        return { checked: false, files: 0, warnings: 0, ms: 0, wallMs: 0 };
      })
      .finally(() => {
        this.#running = null;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          this.schedule();
        }
      });
    this.#running = run;
    return run;
  }

  /** Stops: no more checks; one under way is killed. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.();
    this.#timer = null;
    this.#child?.kill("SIGKILL");
    await this.#running;
  }

  async #check(): Promise<TypeWatchOutcome> {
    const started = performance.now();
    const message = await this.#runChild();
    const wallMs = Math.round(performance.now() - started);
    if (message.kind === "no-typescript") {
      this.#disabled = true;
      this.opts.logger.info(
        { dagsDir: this.#dagsDir },
        "DAG type check skipped: the typescript package is not installed (npm install --save-dev typescript; BATON_DAG_TYPECHECK=off silences this)",
      );
      return { checked: false, files: 0, warnings: 0, ms: 0, wallMs };
    }
    if (message.kind === "failed") throw new Error(message.error);
    const { result, ms } = message;
    const at = this.opts.clock.now();
    const byFile = new Map<string, ImportWarningRecord[]>();
    for (const d of result.diagnostics) {
      const file = d.file ?? result.tsconfig ?? this.#dagsDir;
      const list = byFile.get(file) ?? byFile.set(file, []).get(file)!;
      list.push({ file, line: d.line, column: d.column, code: d.code, message: d.message, at });
    }
    await this.#write(byFile);
    const warnings = result.diagnostics.length;
    this.opts.logger.info({ files: result.files.length, warnings, ms, wallMs }, "DAG type check done");
    return { checked: true, files: result.files.length, warnings, ms, wallMs };
  }

  /** Replaces the warnings of the files that had or have some, where they changed. */
  async #write(byFile: Map<string, ImportWarningRecord[]>): Promise<void> {
    if (this.#written === null) {
      this.#written = new Map();
      const inFolder = (f: string) => f.startsWith(this.#dagsDir + sep) || f === this.#dagsDir;
      for (const w of await this.opts.store.listImportWarnings()) if (inFolder(w.file)) this.#written.set(w.file, "stored");
    }
    const signature = (list: readonly ImportWarningRecord[]) => JSON.stringify(list.map((w) => [w.line, w.column, w.code, w.message]));
    for (const file of new Set([...this.#written.keys(), ...byFile.keys()])) {
      const list = byFile.get(file) ?? [];
      const sig = signature(list);
      if (this.#written.get(file) === sig) continue;
      await this.opts.store.replaceImportWarnings(file, list);
      if (list.length === 0) this.#written.delete(file);
      else this.#written.set(file, sig);
    }
  }

  #runChild(): Promise<TypeCheckMessage> {
    return new Promise((resolvePromise, reject) => {
      const child = fork(TYPE_CHECK_CHILD, [this.#dagsDir], { stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "json" });
      this.#child = child;
      try {
        if (child.pid !== undefined) setPriority(child.pid, 10); // below the scheduler's
      } catch {
        /* not allowed here: normal priority */
      }
      let stderr = "";
      let message: TypeCheckMessage | null = null;
      child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)));
      child.on("message", (m: TypeCheckMessage) => (message = m));
      const cancel = this.opts.clock.setTimer(this.opts.timeoutMs ?? 300_000, () => child.kill("SIGKILL"));
      child.on("error", (e) => {
        cancel();
        reject(e);
      });
      child.on("exit", (code, signal) => {
        cancel();
        this.#child = null;
        if (message) resolvePromise(message);
        else reject(new Error(`the type-check process exited (${signal ?? code}) without a result${stderr ? `: ${stderr.trim()}` : ""}`));
      });
    });
  }
}
