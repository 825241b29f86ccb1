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
    // Spelled out, not spread: every item has one hidden class, so the comparator stays monomorphic.
    const x: ReadyItem = { runPk: item.runPk, taskId: item.taskId, priority: item.priority, backfill: item.backfill, queue: item.queue, seq: this.seq++ };
    let i = h.length;
    h.push(x);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!readyBefore(x, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = x;
  }

  /** The item {@link pop} would return, left in place. */
  peek(): ReadyItem | undefined {
    return this.heap[0];
  }

  pop(): ReadyItem | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    const n = h.length;
    if (n > 0 && last) {
      // Sift `last` down from the root: children move up until its place is found.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && readyBefore(h[r]!, h[l]!) ? r : l;
        const child = h[c]!;
        if (!readyBefore(child, last)) break;
        h[i] = child;
        i = c;
      }
      h[i] = last;
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
