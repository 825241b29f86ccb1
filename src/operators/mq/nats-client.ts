import { AckPolicy, connect, headers as natsHeaders, type JsMsg, type NatsConnection } from "nats";
import { FailTask } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import { decodePayload, type ConsumedMessage } from "./codec.js";
import { sourceField, type ConsumeRequest, type MqClient, type PublishRequest } from "./mq-client.js";

/** A NATS connection from a Baton connection (host, port, login/password or extra token). */
export function connectNats(conn: Connection, name: string): Promise<NatsConnection> {
  return connect({
    servers: `${conn.host ?? "127.0.0.1"}:${conn.port ?? 4222}`,
    user: conn.login ?? undefined,
    pass: conn.password ?? undefined,
    token: conn.extra.token,
    name,
  });
}

/** NATS JetStream: publish to a subject (a stream must capture it); consume from a durable pull consumer. */
export async function openNats(conn: Connection): Promise<MqClient> {
  const nc = await connectNats(conn, "baton");
  return {
    async publish({ destination, payloads, headers }: PublishRequest) {
      if (typeof destination !== "string") throw new FailTask(`connection "${conn.id}" (nats): destination must be a subject`);
      const js = nc.jetstream();
      const seqs: number[] = [];
      for (const payload of payloads) {
        const h = natsHeaders();
        for (const [k, v] of Object.entries(headers)) h.set(k, v);
        const ack = await js.publish(destination, payload, Object.keys(headers).length > 0 ? { headers: h } : {});
        seqs.push(ack.seq);
      }
      return seqs;
    },
    async consume({ source, max, waitMs, ack, beforeAck }: ConsumeRequest) {
      const stream = sourceField(source, "stream");
      const durable = sourceField(source, "durable");
      if (stream === undefined || durable === undefined) throw new FailTask(`connection "${conn.id}" (nats): source must be { stream, durable }`);
      const jsm = await nc.jetstreamManager();
      try {
        await jsm.consumers.info(stream, durable);
      } catch {
        await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit });
      }
      const consumer = await nc.jetstream().consumers.get(stream, durable);
      const got: JsMsg[] = [];
      // JetStream expects a pull to live at least 1s.
      const batch = await consumer.fetch({ max_messages: max, expires: Math.max(waitMs, 1000) });
      for await (const m of batch) {
        got.push(m);
        if (got.length >= max) break;
      }
      const out: ConsumedMessage[] = got.map((m) => ({ data: decodePayload(m.data), headers: headersOf(m), id: m.seq, subject: m.subject }));
      if (ack) {
        try {
          await beforeAck?.(out);
        } catch (e) {
          for (const m of got) m.nak();
          throw e;
        }
        for (const m of got) await m.ackAck();
      } else for (const m of got) m.nak();
      return out;
    },
    async close() {
      await nc.drain().catch(() => nc.close());
    },
  };
}

function headersOf(m: JsMsg): Record<string, string> {
  const out: Record<string, string> = {};
  if (!m.headers) return out;
  for (const k of m.headers.keys()) out[k] = m.headers.get(k);
  return out;
}
