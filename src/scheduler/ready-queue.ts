/**
 * Task instances whose dependencies are met, waiting for a slot. Highest priority weight first,
 * then older runs, then insertion order (a binary heap: O(log n) per push/pop).
 */
export interface ReadyItem {
  runPk: number;
  taskId: string;
  priority: number;
  /** Backfill runs yield to normal runs. */
  backfill: boolean;
  /** The executor queue it runs on (the task's `queue` option); absent: "default". */
  queue?: string;
  seq: number;
}

/** True when `a` runs before `b`. */
export function readyBefore(a: ReadyItem, b: ReadyItem): boolean {
  if (a.backfill !== b.backfill) return !a.backfill;
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.runPk !== b.runPk) return a.runPk < b.runPk;
  return a.seq < b.seq;
}

export class ReadyQueue {
  private heap: ReadyItem[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(item: Omit<ReadyItem, "seq">): void {
    const h = this.heap;
    h.push({ ...item, seq: this.seq++ });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!readyBefore(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  /** The item {@link pop} would return, left in place. */
  peek(): ReadyItem | undefined {
    return this.heap[0];
  }

  pop(): ReadyItem | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && readyBefore(h[l]!, h[m]!)) m = l;
        if (r < h.length && readyBefore(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }

  /** Drops every item of a run (run finished or cancelled). */
  removeRun(runPk: number): void {
    const keep = this.heap.filter((x) => x.runPk !== runPk);
    this.heap = [];
    for (const x of keep) this.push(x);
  }
}
