/**
 * Where a push-style client (NATS consume, AMQP consume, MQTT, Kafka) leaves what it receives
 * until the trigger loop takes it. A failure (connection closed) is raised by the next take.
 */
export class DeliveryBuffer<T> {
  #items: T[] = [];
  #error: unknown = null;
  #arrived: (() => void) | null = null;
  #room: (() => void)[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    this.#items.push(item);
    this.#arrived?.();
  }

  fail(error: unknown): void {
    this.#error ??= error;
    this.#arrived?.();
  }

  /** All items still waiting (to release them on close). */
  drain(): T[] {
    return this.#items.splice(0);
  }

  async take(max: number, waitMs: number): Promise<T[]> {
    if (this.#items.length === 0 && this.#error === null) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#arrived = resolve;
        timer = setTimeout(resolve, waitMs);
      });
      clearTimeout(timer);
      this.#arrived = null;
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the consumer's error, rethrown as received
    if (this.#items.length === 0 && this.#error !== null) throw this.#error;
    const out = this.#items.splice(0, max);
    for (const r of this.#room.splice(0)) r();
    return out;
  }

  /** Resolves once fewer than `cap` items wait (back-pressure for clients that push without limit). */
  async room(cap: number): Promise<void> {
    while (this.#items.length >= cap && this.#error === null) await new Promise<void>((r) => this.#room.push(r));
  }
}
