import { randomUUID } from "node:crypto";
import amqp, { type GetMessage } from "amqplib";
import { FailTask } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import { decodePayload } from "./codec.js";
import { sleep, sourceField, type ConsumeRequest, type MqClient, type PublishRequest } from "./mq-client.js";

/** The AMQP URL of a connection: schema is the virtual host (default "/"). */
export function amqpUrl(conn: Connection): string {
  const scheme = conn.type.toLowerCase() === "amqps" ? "amqps" : "amqp";
  const auth = conn.login === null ? "" : `${encodeURIComponent(conn.login)}:${encodeURIComponent(conn.password ?? "")}@`;
  const port = conn.port ?? (scheme === "amqps" ? 5671 : 5672);
  const vhost = conn.schema === null ? "" : `/${encodeURIComponent(conn.schema)}`;
  return `${scheme}://${auth}${conn.host ?? "127.0.0.1"}:${port}${vhost}`;
}

/**
 * RabbitMQ (AMQP 0-9-1). Publishes persistent messages with publisher confirms; a queue
 * destination is declared durable if missing. Consumes with basic.get until `max` or `waitMs`,
 * then acknowledges the whole batch (at-least-once: a crash before the ack redelivers it).
 */
export async function openAmqp(conn: Connection): Promise<MqClient> {
  const connection = await amqp.connect(amqpUrl(conn));
  // Failures surface through the pending operation; an unheard "error" event would crash the worker.
  connection.on("error", () => {});
  return {
    async publish({ destination, payloads, headers }: PublishRequest) {
      const ch = await connection.createConfirmChannel();
      try {
        let exchange = "";
        let routingKey: string;
        if (typeof destination === "string" || "queue" in destination) {
          routingKey = typeof destination === "string" ? destination : destination.queue;
          await ch.assertQueue(routingKey, { durable: true });
        } else {
          exchange = destination.exchange;
          routingKey = destination.routingKey ?? "";
        }
        const ids: string[] = [];
        for (const payload of payloads) {
          const messageId = randomUUID();
          ch.publish(exchange, routingKey, payload, { persistent: true, messageId, headers });
          ids.push(messageId);
        }
        await ch.waitForConfirms();
        return ids;
      } finally {
        await ch.close().catch(() => {});
      }
    },
    async consume({ source, max, waitMs, ack, beforeAck }: ConsumeRequest) {
      const queue = typeof source === "string" ? source : sourceField(source, "queue");
      if (queue === undefined) throw new FailTask(`connection "${conn.id}" (amqp): source must be a queue name`);
      const ch = await connection.createChannel();
      try {
        await ch.checkQueue(queue);
        const got: GetMessage[] = [];
        const deadline = Date.now() + waitMs;
        while (got.length < max) {
          const m = await ch.get(queue, { noAck: false });
          if (m !== false) got.push(m);
          else if (Date.now() >= deadline) break;
          else await sleep(Math.min(100, deadline - Date.now()));
        }
        const out = got.map((m) => ({
          data: decodePayload(m.content),
          headers: stringHeaders(m.properties.headers),
          id: typeof m.properties.messageId === "string" ? m.properties.messageId : null,
          subject: m.fields.routingKey,
        }));
        const last = got.at(-1);
        if (last !== undefined) {
          if (ack) {
            try {
              await beforeAck?.(out);
            } catch (e) {
              ch.nack(last, true, true);
              throw e;
            }
            ch.ack(last, true);
          } else ch.nack(last, true, true);
        }
        return out;
      } finally {
        await ch.close().catch(() => {});
      }
    },
    async close() {
      await connection.close().catch(() => {});
    },
  };
}

function stringHeaders(h: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k] = typeof v === "string" ? v : Buffer.isBuffer(v) ? v.toString("utf8") : JSON.stringify(v);
  return out;
}
