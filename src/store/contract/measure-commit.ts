import type { Store } from "../../core/ports/store.js";
import { manyTaskInstances, newRun } from "./fixtures.js";

export interface CommitFigures {
  /** Median ms of one commit inserting 2,000 new task-instance rows. */
  insert2000: number;
  /** Median ms of one commit rewriting 2,000 existing rows (a state change each). */
  patch2000: number;
  /** Median ms of one commit changing a single task instance (the fsync floor). */
  patch1: number;
  /** Median ms of createRun with 2,000 task instances. */
  createRun2000: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Prints nothing and asserts nothing: the caller reports. Not a benchmark harness, a figure. */
export async function measureCommit(store: Store, rounds = 7): Promise<CommitFigures> {
  const samples = { insert2000: [] as number[], patch2000: [] as number[], patch1: [] as number[], createRun2000: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const run = (await store.createRun(newRun("timing", `empty-${r}`), []))!;
    const fresh = manyTaskInstances(2_000, { runPk: run.id, state: "scheduled" });
    samples.insert2000.push(await time(() => store.commit({ taskInstances: fresh })));
    const patched = fresh.map((t) => ({ ...t, state: "queued" as const, queuedAt: 1_700_000_000_000 + r, updatedAt: r }));
    samples.patch2000.push(await time(() => store.commit({ taskInstances: patched })));
    const one = { ...patched[0]!, state: "running" as const };
    samples.patch1.push(await time(() => store.commit({ taskInstances: [one] })));
    samples.createRun2000.push(await time(() => store.createRun(newRun("timing", `full-${r}`), manyTaskInstances(2_000))));
  }
  return {
    insert2000: median(samples.insert2000),
    patch2000: median(samples.patch2000),
    patch1: median(samples.patch1),
    createRun2000: median(samples.createRun2000),
  };
}

export function formatFigures(label: string, f: CommitFigures): string {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  return (
    `${label}: commit 2,000 new TIs ${ms(f.insert2000)} | commit 2,000 TI patches ${ms(f.patch2000)} | ` +
    `commit 1 TI patch ${ms(f.patch1)} | createRun with 2,000 TIs ${ms(f.createRun2000)} (medians)`
  );
}
