import { createHash } from "node:crypto";
import type { TaskInstanceRecord } from "../core/model/records.js";
import type { Logger } from "../core/ports/logger.js";
import type { ChangeSet } from "../core/ports/store.js";
import { formatValueRef, isOffloadedOutput, parseValueRef, valueKey, type ValueStore } from "../core/ports/value-store.js";

/** BATON_VALUE_STORE and BATON_VALUE_STORE_THRESHOLD, as the scheduler receives them. */
export interface ValueOffloading {
  store: ValueStore;
  /** Values whose stored text is over this many UTF-8 bytes are offloaded (0: every value). */
  thresholdBytes: number;
}

interface Written {
  sha256: string;
  /** The reference stored in the column. */
  stored: string;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/**
 * Moves large return values out of the database (docs/storage.md#large-return-values). The
 * scheduler keeps each value's full text in memory, as before; just before a commit, every task
 * instance row whose output is over the threshold has its text written to the value store and
 * only the reference goes into the row. The object is durable before the row that names it.
 * A write that fails leaves the value in the row (it is within BATON_MAX_OUTPUT_BYTES) and logs
 * a warning: a broken store never stops the scheduler's commits.
 *
 * Runs loaded from the store (recovery, adoption) get their offloaded values read back
 * ({@link resolve}); one that cannot be read keeps its reference, and the downstream task that
 * needs it fails naming the object (task-outputs.ts).
 */
export class ValueOffloader {
  /** dag and run ids by run pk: the object keys (registered while the run is held, kept until its last commit). */
  readonly #runs = new Map<number, { dagId: string; runId: string; written: Map<string, Written> }>();

  constructor(
    private readonly options: ValueOffloading,
    private readonly logger: Logger,
  ) {}

  get store(): ValueStore {
    return this.options.store;
  }

  /** Run `pk`'s values may be offloaded from now on. */
  track(pk: number, dagId: string, runId: string): void {
    if (!this.#runs.has(pk)) this.#runs.set(pk, { dagId, runId, written: new Map() });
  }

  /** Run `pk` is no longer held and its last changes are durable. */
  forget(pk: number): void {
    this.#runs.delete(pk);
  }

  /** The change set as committed: large outputs replaced by references once their objects are written. */
  async prepare(changes: ChangeSet): Promise<ChangeSet> {
    const tis = changes.taskInstances;
    if (!tis || tis.length === 0) return changes;
    const out = [...tis];
    const work: Promise<void>[] = [];
    tis.forEach((ti, i) => {
      const run = this.#runs.get(ti.runPk);
      if (!run) return;
      const k = `${ti.taskId}\0${ti.mapIndex}`;
      const text = ti.output;
      if (text === null) {
        // Cleared: the old object goes (a re-run would replace it anyway).
        const old = run.written.get(k);
        if (old) {
          run.written.delete(k);
          work.push(this.#bestEffort(() => this.options.store.delete(parseValueRef(old.stored).key), "delete"));
        }
        return;
      }
      if (isOffloadedOutput(text) || !this.#over(text)) return;
      const hash = sha256(text);
      const done = run.written.get(k);
      if (done?.sha256 === hash) {
        out[i] = { ...ti, output: done.stored };
        return;
      }
      const key = valueKey(run.dagId, run.runId, ti.taskId, ti.mapIndex);
      work.push(
        this.options.store.write(key, text).then(
          (ref) => {
            const stored = formatValueRef(ref);
            run.written.set(k, { sha256: hash, stored });
            out[i] = { ...ti, output: stored };
          },
          (err: unknown) => {
            this.logger.warn(
              { err, dagId: run.dagId, runId: run.runId, taskId: ti.taskId, store: this.options.store.url },
              "cannot write a large return value to the value store; it stays in the database",
            );
          },
        ),
      );
    });
    if (work.length === 0) return changes;
    await Promise.all(work);
    return { ...changes, taskInstances: out };
  }

  /**
   * `tis` of a run loaded from the store, with offloaded outputs read back. One that cannot be
   * read keeps its reference (logged): the task that needs it fails (task-outputs.ts).
   */
  async resolve(pk: number, dagId: string, runId: string, tis: TaskInstanceRecord[]): Promise<TaskInstanceRecord[]> {
    this.track(pk, dagId, runId);
    const run = this.#runs.get(pk)!;
    return Promise.all(
      tis.map(async (ti) => {
        if (!isOffloadedOutput(ti.output)) return ti;
        const ref = parseValueRef(ti.output);
        try {
          const text = await this.options.store.read(ref);
          run.written.set(`${ti.taskId}\0${ti.mapIndex}`, { sha256: ref.sha256, stored: ti.output });
          return { ...ti, output: text };
        } catch (err) {
          this.logger.error({ err, dagId, runId, taskId: ti.taskId, mapIndex: ti.mapIndex }, "cannot read an offloaded return value");
          return ti;
        }
      }),
    );
  }

  #over(text: string): boolean {
    const t = this.options.thresholdBytes;
    // UTF-8 bytes are between the UTF-16 length and 3 times it.
    if (text.length > t) return true;
    if (text.length * 3 <= t) return false;
    return Buffer.byteLength(text, "utf8") > t;
  }

  async #bestEffort(op: () => Promise<void>, what: string): Promise<void> {
    try {
      await op();
    } catch (err) {
      this.logger.warn({ err, store: this.options.store.url }, `value store: ${what} failed`);
    }
  }
}
