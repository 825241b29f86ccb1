/**
 * Items by due time, earliest first (a binary min-heap: O(log n) push and pop, O(1) peek).
 * Removal is lazy: the watcher drops an item it no longer holds when it reaches the top.
 */
export class DueHeap<T extends { dueAt: number }> {
  #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const h = this.#items;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.dueAt <= item.dueAt) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = item;
  }

  pop(): T | undefined {
    const h = this.#items;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      const leastDue = (k: number) => (k === i ? last.dueAt : h[k]!.dueAt);
      if (l < h.length && h[l]!.dueAt < leastDue(least)) least = l;
      if (r < h.length && h[r]!.dueAt < leastDue(least)) least = r;
      if (least === i) break;
      h[i] = h[least]!;
      i = least;
    }
    h[i] = last;
    return top;
  }
}
