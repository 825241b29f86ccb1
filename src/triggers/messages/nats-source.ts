import { AckPolicy, DeliverPolicy, nanos, type JsMsg } from "nats";
import { connectNats } from "../../operators/mq/nats-client.js";
import type { Connection } from "../../core/model/connection.js";
import type { MessageTriggerSpec } from "../../core/model/event-trigger-spec.js";
import { decodePayload } from "../../operators/mq/codec.js";
import { DeliveryBuffer } from "./delivery-buffer.js";
import type { Delivery, MessageSource } from "./message-source.js";

/** How long JetStream waits for an acknowledgement before delivering a message again (new consumers). */
const ACK_WAIT_MS = 30_000;
/** JetStream expects a pull request to live at least 1s. */
const MIN_PULL_MS = 1_000;

/**
 * NATS JetStream: the durable pull consumer `durable` of `stream` (created with explicit acks if
 * missing). One pull request at a time, only while the loop asks for messages, so that none is
 * left outstanding at close: a message sent to a pull nobody reads would wait for the ack wait
 * (30s) before coming again. Key: the stream sequence. Close naks what was not acknowledged.
 */
export async function openNatsSource(conn: Connection, spec: MessageTriggerSpec): Promise<MessageSource> {
  const s = spec.source;
  if (s.broker !== "nats") throw new Error(`not a NATS trigger: ${s.broker}`);
  const nc = await connectNats(conn, "baton-trigger");
  try {
    const jsm = await nc.jetstreamManager();
    try {
      await jsm.consumers.info(s.stream, s.durable);
    } catch {
      await jsm.consumers.add(s.stream, {
        durable_name: s.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: spec.startAt === "latest" ? DeliverPolicy.New : DeliverPolicy.All,
        ack_wait: nanos(ACK_WAIT_MS + (spec.batch?.withinMs ?? 0)),
        ...(s.subject === null ? {} : { filter_subject: s.subject }),
      });
    }
    const consumer = await nc.jetstream().consumers.get(s.stream, s.durable);
    const buffer = new DeliveryBuffer<Delivery>();
    const held = new Map<Delivery, JsMsg>();
    let closing = false;
    let pulling: Promise<void> | null = null;
    const pull = (max: number, waitMs: number) => {
      pulling ??= (async () => {
        const batch = await consumer.fetch({ max_messages: max, expires: Math.max(waitMs, MIN_PULL_MS) });
        for await (const m of batch) {
          if (closing) {
            m.nak();
            continue;
          }
          const d: Delivery = {
            message: { data: decodePayload(m.data), headers: headersOf(m), id: m.seq, subject: m.subject },
            key: `s${m.seq}`,
            stable: true,
            redelivered: m.redelivered,
          };
          held.set(d, m);
          buffer.push(d);
        }
      })()
        .catch((e: unknown) => buffer.fail(e))
        .finally(() => (pulling = null));
    };
    void nc.closed().then((e) => buffer.fail(e ?? new Error("NATS connection closed")));
    return {
      receive(max, waitMs) {
        if (buffer.size === 0) pull(max, waitMs);
        return buffer.take(max, waitMs);
      },
      async ack(deliveries) {
        for (const d of deliveries) {
          const m = held.get(d);
          if (m === undefined) continue;
          await m.ackAck();
          held.delete(d);
        }
      },
      async close() {
        // Delivered again at once rather than after the ack wait.
        closing = true;
        for (const m of held.values()) m.nak();
        held.clear();
        await pulling;
        await nc.drain().catch(() => nc.close());
      },
    };
  } catch (e) {
    await nc.close();
    throw e;
  }
}

function headersOf(m: JsMsg): Record<string, string> {
  const out: Record<string, string> = {};
  if (!m.headers) return out;
  for (const k of m.headers.keys()) out[k] = m.headers.get(k);
  return out;
}
