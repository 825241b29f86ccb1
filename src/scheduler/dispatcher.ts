import type { AttemptRequest } from "../core/ports/executor.js";
import { DEFAULT_QUEUE } from "../core/model/workers.js";
import type { ReadyItem } from "./ready-queue.js";
import { ReadyQueues } from "./ready-queues.js";

export interface SlotLimits {
  /**
   * Attempts allowed in flight at once: one number shared by every queue (an executor that runs
   * everything itself), or a number per queue (`Executor.capacityFor`: the local pool's capacity
   * for "default", a window per remote queue).
   */
  capacity: number | ((queue: string) => number);
  maxActiveTasks(dagId: string): number;
  poolSlots(pool: string): number | undefined;
}

export interface Claim {
  dagId: string;
  pool: string;
  poolSlots: number;
  /** The executor queue it runs on ("default" when the task has no `queue` option). */
  queue: string;
  /** Handed to the executor (it holds one of the executor's slots), not only recorded as queued. */
  handedOut?: boolean;
}

export type Admission = "ok" | "dag_full" | "pool_full";

/**
 * Who may run next. Ready work waits in priority queues, one per executor queue when each has its
 * own slots (a queue without workers fills its own window and blocks no other queue); work blocked
 * by a full DAG (max active tasks) or a full pool is parked per DAG/pool, in priority order, and
 * released when that DAG or pool frees a slot — so blocked work costs nothing per dispatch.
 */
export class Dispatcher {
  readonly ready: ReadyQueues;
  private parkedByDag = new Map<string, ReadyItem[]>();
  private parkedByPool = new Map<string, ReadyItem[]>();
  private dagActive = new Map<string, number>();
  private poolUsed = new Map<string, number>();
  /** Attempts in flight per slot group (one group "" when the capacity is shared). */
  private groupUsed = new Map<string, number>();
  /** Of those, attempts handed to the executor (at most its capacity), per slot group. */
  private groupHandedOut = new Map<string, number>();
  /** Durable attempts waiting for an executor slot, per slot group, oldest first. */
  private staged = new Map<string, AttemptRequest[]>();
  inFlight = 0;
  /** Attempts a queue may stage beyond its executor slots (Executor.stagingFor); none until {@link useStaging}. */
  private stagingOf: (queue: string) => number = () => 0;
  /** Told when an attempt handed to the executor ended while others are staged: one may take its slot. */
  private slotFreed: ((queue: string) => void) | null = null;

  constructor(private readonly limits: SlotLimits) {
    this.ready = new ReadyQueues((queue) => this.groupOf(queue));
  }

  /**
   * The dispatch window: besides its executor slots, a queue may have `staging(queue)` attempts
   * recorded as queued and held here until a slot frees (Executor.stagingFor); `slotFreed` is
   * told when one may go out.
   */
  useStaging(staging: (queue: string) => number, slotFreed: (queue: string) => void): void {
    this.stagingOf = staging;
    this.slotFreed = slotFreed;
  }

  /**
   * The next ready item whose queue has room in its dispatch window (its executor slots plus what
   * it may stage), most urgent first; undefined when none.
   */
  next(): ReadyItem | undefined {
    return this.ready.pop(this.#hasRoom);
  }

  /** Allocated once: {@link next} runs for every dispatch. */
  readonly #hasRoom = (group: string): boolean => (this.groupUsed.get(group) ?? 0) < this.windowOf(group);

  private windowOf(group: string): number {
    return this.capacityOf(group) + this.stagingOf(group === "" ? DEFAULT_QUEUE : group);
  }

  /**
   * An attempt of `c`'s queue is durable: takes one of the executor's slots for it and returns
   * true, or returns false when they are all taken (the caller stages it, {@link stage}).
   */
  handOut(c: Claim): boolean {
    const group = this.groupOf(c.queue);
    const n = this.groupHandedOut.get(group) ?? 0;
    if (n >= this.capacityOf(group)) return false;
    this.groupHandedOut.set(group, n + 1);
    c.handedOut = true;
    return true;
  }

  /**
   * A durable attempt waits for an executor slot of its queue; staged attempts are handed out
   * oldest first. One that ends meanwhile (cleared, its run cancelled) is skipped when its turn
   * comes.
   */
  stage(queue: string, request: AttemptRequest, first = false): void {
    const group = this.groupOf(queue);
    let list = this.staged.get(group);
    if (!list) this.staged.set(group, (list = []));
    if (first) list.unshift(request);
    else list.push(request);
  }

  /** The oldest staged attempt of `queue`'s slot group, taken out; undefined when none. */
  takeStaged(queue: string): AttemptRequest | undefined {
    const group = this.groupOf(queue);
    const list = this.staged.get(group);
    const request = list?.shift();
    if (list?.length === 0) this.staged.delete(group);
    return request;
  }

  private groupOf(queue: string): string {
    return typeof this.limits.capacity === "number" ? "" : queue;
  }

  private capacityOf(group: string): number {
    const c = this.limits.capacity;
    return typeof c === "number" ? c : c(group);
  }

  admit(c: Claim): Admission {
    if ((this.dagActive.get(c.dagId) ?? 0) >= this.limits.maxActiveTasks(c.dagId)) return "dag_full";
    const slots = this.limits.poolSlots(c.pool) ?? 0;
    if ((this.poolUsed.get(c.pool) ?? 0) + c.poolSlots > slots) return "pool_full";
    return "ok";
  }

  park(item: ReadyItem, why: Exclude<Admission, "ok">, c: Claim): void {
    const map = why === "dag_full" ? this.parkedByDag : this.parkedByPool;
    const key = why === "dag_full" ? c.dagId : c.pool;
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(item);
  }

  acquire(c: Claim): void {
    this.inFlight++;
    const group = this.groupOf(c.queue);
    this.groupUsed.set(group, (this.groupUsed.get(group) ?? 0) + 1);
    this.dagActive.set(c.dagId, (this.dagActive.get(c.dagId) ?? 0) + 1);
    this.poolUsed.set(c.pool, (this.poolUsed.get(c.pool) ?? 0) + c.poolSlots);
  }

  release(c: Claim): void {
    this.inFlight--;
    const group = this.groupOf(c.queue);
    this.groupUsed.set(group, (this.groupUsed.get(group) ?? 1) - 1);
    const heldExecutorSlot = c.handedOut === true;
    if (heldExecutorSlot) {
      c.handedOut = false;
      this.groupHandedOut.set(group, (this.groupHandedOut.get(group) ?? 1) - 1);
    }
    this.dagActive.set(c.dagId, (this.dagActive.get(c.dagId) ?? 1) - 1);
    this.poolUsed.set(c.pool, (this.poolUsed.get(c.pool) ?? c.poolSlots) - c.poolSlots);
    this.unpark(this.parkedByDag, c.dagId, 1);
    this.unpark(this.parkedByPool, c.pool, c.poolSlots);
    if (heldExecutorSlot && this.staged.has(group)) this.slotFreed?.(c.queue);
  }

  /** Pool sizes may have changed: give every parked item another chance. */
  unparkAll(): void {
    for (const key of [...this.parkedByDag.keys()]) this.unpark(this.parkedByDag, key, Infinity);
    for (const key of [...this.parkedByPool.keys()]) this.unpark(this.parkedByPool, key, Infinity);
  }

  /** How many items are parked, by reason (O(DAGs and pools with parked work)). */
  parkedCounts(): { dagFull: number; poolFull: number } {
    let dagFull = 0;
    let poolFull = 0;
    for (const list of this.parkedByDag.values()) dagFull += list.length;
    for (const list of this.parkedByPool.values()) poolFull += list.length;
    return { dagFull, poolFull };
  }

  /** Pools with parked work. */
  parkedPools(): Iterable<string> {
    return this.parkedByPool.keys();
  }

  /** Work parked because `pool` was full, in priority order. */
  parkedIn(pool: string): readonly ReadyItem[] {
    return this.parkedByPool.get(pool) ?? [];
  }

  /** Slots of `pool` that running attempts occupy. */
  poolInUse(pool: string): number {
    return this.poolUsed.get(pool) ?? 0;
  }

  /** `pool` has more slots (a larger grant): give its parked work another chance. */
  unparkPool(pool: string): void {
    this.unpark(this.parkedByPool, pool, Infinity);
  }

  private unpark(map: Map<string, ReadyItem[]>, key: string, count: number): void {
    const list = map.get(key);
    if (!list) return;
    const n = Math.min(count, list.length);
    for (const item of list.splice(0, n)) this.ready.push(item);
    if (list.length === 0) map.delete(key);
  }

  /** Forgets queued work of a finished run. */
  dropRun(runPk: number): void {
    this.ready.removeRun(runPk);
    for (const list of [...this.parkedByDag.values(), ...this.parkedByPool.values()]) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i]!.runPk === runPk) list.splice(i, 1);
    }
  }
}
