import { DEFAULT_QUEUE } from "../core/model/workers.js";
import { ReadyQueue, readyBefore, type ReadyItem } from "./ready-queue.js";

/**
 * Ready work per slot group: one priority heap per executor queue when each queue has slots of
 * its own, or one heap for all when they share the executor's capacity (`groupOf` says which).
 * {@link pop} takes the most urgent item among the groups with a free slot, so a full queue (a
 * queue without workers) holds its own work back and nobody else's. Cost: O(groups + log n) per
 * pop; with one group it is the single heap it replaces.
 */
export class ReadyQueues {
  readonly #heaps = new Map<string, ReadyQueue>();
  /** The one group and its heap while there is only one (heaps are never removed). */
  #only: [string, ReadyQueue] | null = null;

  constructor(private readonly groupOf: (queue: string) => string) {}

  /** Items waiting, all groups together. */
  get size(): number {
    let n = 0;
    for (const h of this.#heaps.values()) n += h.size;
    return n;
  }

  push(item: Omit<ReadyItem, "seq">): void {
    const group = this.groupOf(item.queue ?? DEFAULT_QUEUE);
    let heap = this.#heaps.get(group);
    if (heap === undefined) {
      this.#heaps.set(group, (heap = new ReadyQueue()));
      this.#only = null;
    }
    heap.push(item);
  }

  /** The most urgent item of the groups `open` lets through (priority order across them), or undefined. */
  pop(open: (group: string) => boolean): ReadyItem | undefined {
    if (this.#heaps.size === 1) {
      // One slot group (the local pool alone): no iterator, no comparison across heaps.
      const [group, heap] = this.#only ?? (this.#only = this.#heaps.entries().next().value as [string, ReadyQueue]);
      return heap.size > 0 && open(group) ? heap.pop() : undefined;
    }
    let best: ReadyQueue | undefined;
    for (const [group, heap] of this.#heaps) {
      const top = heap.peek();
      if (top === undefined || (best !== undefined && !readyBefore(top, best.peek()!)) || !open(group)) continue;
      best = heap;
    }
    return best?.pop();
  }

  /** Drops every item of a run (run finished or cancelled). */
  removeRun(runPk: number): void {
    for (const heap of this.#heaps.values()) if (heap.size > 0) heap.removeRun(runPk);
  }
}
