/** A fixed-size set of small integers (indexes into a topological order). */
class IndexSet {
  private readonly words: Uint32Array;
  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }
  add(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
  }
  addAll(other: IndexSet): void {
    for (let w = 0; w < this.words.length; w++) this.words[w]! |= other.words[w]!;
  }
  forEach(fn: (i: number) => void): void {
    for (let w = 0; w < this.words.length; w++) {
      let bits = this.words[w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        fn(w * 32 + 31 - Math.clz32(low));
        bits ^= low;
      }
    }
  }
}

/**
 * For each task (by index in `topoOrder`), `weights[i]` plus the weights of all its distinct
 * descendants. Descendant sets are bitsets built from the leaves up, and each is dropped as soon
 * as all its upstreams have used it, so memory follows the DAG's width, not its size squared.
 */
export function descendantWeightSums(topoOrder: string[], downstream: ReadonlyMap<string, string[]>, weights: number[]): number[] {
  const index = new Map(topoOrder.map((id, i) => [id, i]));
  const pendingUpstreams = new Array<number>(topoOrder.length).fill(0);
  for (const id of topoOrder) for (const d of downstream.get(id) ?? []) pendingUpstreams[index.get(d)!]!++;
  const sets = new Array<IndexSet | null>(topoOrder.length).fill(null);
  const sums = new Array<number>(topoOrder.length).fill(0);
  for (let i = topoOrder.length - 1; i >= 0; i--) {
    const set = new IndexSet(topoOrder.length);
    for (const d of downstream.get(topoOrder[i]!) ?? []) {
      const j = index.get(d)!;
      set.add(j);
      set.addAll(sets[j]!);
      if (--pendingUpstreams[j]! === 0) sets[j] = null;
    }
    let sum = weights[i]!;
    set.forEach((j) => (sum += weights[j]!));
    sums[i] = sum;
    if (pendingUpstreams[i]! > 0) sets[i] = set;
  }
  return sums;
}
