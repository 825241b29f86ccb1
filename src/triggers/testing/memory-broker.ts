import type { MessageSource, Delivery, OpenMessageSource } from "../messages/message-source.js";
import { messageKey } from "../messages/message-source.js";

/**
 * A queue with acknowledgements for the loop's unit tests: messages handed out and not
 * acknowledged return to the front, flagged redelivered, when the source closes.
 */
export class MemoryBroker {
  readonly queue: { payload: string; id: string | null; redelivered: boolean }[] = [];
  readonly acked: string[] = [];
  /** When set, `ack` throws: the run exists, then the process "dies" before acknowledging. */
  failAcks = false;

  publish(payload: string, id: string | null = null): void {
    this.queue.push({ payload, id, redelivered: false });
  }

  readonly open: OpenMessageSource = async () => {
    const out = new Map<Delivery, (typeof this.queue)[number]>();
    let closed = false;
    return {
      receive: async (max, waitMs) => {
        if (this.queue.length === 0) await new Promise((r) => setTimeout(r, Math.min(waitMs, 20)));
        if (closed) throw new Error("closed");
        return this.queue.splice(0, max).map((m) => {
          const payload = Buffer.from(m.payload);
          const d: Delivery = {
            message: { data: m.payload, headers: {}, id: m.id, subject: "q" },
            ...messageKey(m.id, "q", {}, payload),
            redelivered: m.redelivered,
          };
          out.set(d, m);
          return d;
        });
      },
      ack: async (ds) => {
        if (this.failAcks) throw new Error("crashed before the acknowledgement");
        for (const d of ds) {
          const m = out.get(d);
          if (m) this.acked.push(m.payload);
          out.delete(d);
        }
      },
      close: async () => {
        closed = true;
        this.queue.unshift(...[...out.values()].map((m) => ({ ...m, redelivered: true })));
        out.clear();
      },
    } satisfies MessageSource;
  };
}
