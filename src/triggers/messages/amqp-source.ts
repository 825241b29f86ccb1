import amqp, { type ConsumeMessage } from "amqplib";
import type { Connection } from "../../core/model/connection.js";
import type { MessageTriggerSpec } from "../../core/model/event-trigger-spec.js";
import { amqpUrl } from "../../operators/mq/amqp-client.js";
import { decodePayload } from "../../operators/mq/codec.js";
import { DeliveryBuffer } from "./delivery-buffer.js";
import { headerId, messageKey, PREFETCH, type Delivery, type MessageSource } from "./message-source.js";

/**
 * RabbitMQ: consumes the queue (which must exist) with manual acks and a prefetch of the batch
 * size. Key: the `messageId` property, else a `message-id` header, else a content key. Closing
 * the channel returns unacknowledged messages to the queue (flagged redelivered).
 */
export async function openAmqpSource(conn: Connection, spec: MessageTriggerSpec): Promise<MessageSource> {
  const s = spec.source;
  if (s.broker !== "amqp") throw new Error(`not an AMQP trigger: ${s.broker}`);
  const connection = await amqp.connect(amqpUrl(conn));
  const buffer = new DeliveryBuffer<Delivery>();
  connection.on("error", (e: unknown) => buffer.fail(e));
  connection.on("close", () => buffer.fail(new Error("RabbitMQ connection closed")));
  try {
    const ch = await connection.createChannel();
    ch.on("error", (e: unknown) => buffer.fail(e));
    ch.on("close", () => buffer.fail(new Error("RabbitMQ channel closed")));
    await ch.checkQueue(s.queue);
    await ch.prefetch(spec.batch?.size ?? PREFETCH);
    const held = new Map<Delivery, ConsumeMessage>();
    await ch.consume(
      s.queue,
      (m) => {
        if (m === null) return buffer.fail(new Error(`RabbitMQ cancelled the consumer of queue ${s.queue} (deleted?)`));
        const headers = stringHeaders(m.properties.headers);
        const id = typeof m.properties.messageId === "string" && m.properties.messageId !== "" ? m.properties.messageId : headerId(headers);
        const d: Delivery = {
          message: { data: decodePayload(m.content), headers, id, subject: m.fields.routingKey },
          ...messageKey(id, m.fields.routingKey, headers, m.content),
          redelivered: m.fields.redelivered,
        };
        held.set(d, m);
        buffer.push(d);
      },
      { noAck: false },
    );
    return {
      receive: (max, waitMs) => buffer.take(max, waitMs),
      async ack(deliveries) {
        for (const d of deliveries) {
          const m = held.get(d);
          if (m === undefined) continue;
          ch.ack(m);
          held.delete(d);
        }
      },
      async close() {
        await ch.close().catch(() => {});
        await connection.close().catch(() => {});
      },
    };
  } catch (e) {
    await connection.close().catch(() => {});
    throw e;
  }
}

function stringHeaders(h: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k] = typeof v === "string" ? v : Buffer.isBuffer(v) ? v.toString("utf8") : JSON.stringify(v);
  return out;
}
