// The broker side of the streaming_ingest example: take a batch of messages from NATS JetStream or
// RabbitMQ and acknowledge it only when told to — after the batch is safely written. The
// `consume` operator acknowledges when it collects, before downstream tasks run; this example
// needs the acknowledgement after its write, so it talks to the broker itself.
// Folders starting with "_" are not scanned for DAGs.
import type { GetMessage } from "amqplib";
import type { JsMsg } from "nats";
import { FailTask, type Connection } from "baton";

/** Where to read: a JetStream stream and durable consumer (nats) or a queue (amqp). */
export interface SourceSpec {
  stream: string;
  durable: string;
  queue: string;
}

/** A batch taken from the broker and not acknowledged yet. */
export interface MessageBatch {
  /** A stable name for this source, e.g. "nats:CHECKOUTS/dashboard" or "amqp:checkouts". */
  source: string;
  /** The payloads as UTF-8 text, in delivery order. */
  payloads: string[];
  /** Acknowledge every message of the batch: the broker forgets them. */
  ack(): Promise<void>;
  /** Hand the whole batch back for redelivery. */
  release(): Promise<void>;
  close(): Promise<void>;
}

/** Takes up to `max` messages, waiting at most `waitMs`; the connection's type picks the broker. */
export async function takeBatch(conn: Connection, spec: SourceSpec, max: number, waitMs: number): Promise<MessageBatch> {
  if (conn.type === "nats") return takeFromNats(conn, spec, max, waitMs);
  if (conn.type === "amqp" || conn.type === "amqps") return takeFromRabbit(conn, spec, max, waitMs);
  throw new FailTask(`connection "${conn.id}" has type "${conn.type}"; streaming_ingest reads from nats or amqp/amqps`);
}

async function takeFromNats(conn: Connection, { stream, durable }: SourceSpec, max: number, waitMs: number): Promise<MessageBatch> {
  const { AckPolicy, connect } = await import("nats");
  const nc = await connect({
    servers: `${conn.host ?? "127.0.0.1"}:${conn.port ?? 4222}`,
    user: conn.login ?? undefined,
    pass: conn.password ?? undefined,
    token: conn.extra["token"],
    name: "baton-streaming-ingest",
  });
  try {
    const jsm = await nc.jetstreamManager();
    // A durable pull consumer with explicit acks, created on first use; it remembers our position.
    await jsm.consumers.info(stream, durable).catch(() => jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit }));
    const consumer = await nc.jetstream().consumers.get(stream, durable);
    const messages: JsMsg[] = [];
    for await (const m of await consumer.fetch({ max_messages: max, expires: Math.max(waitMs, 1000) })) {
      messages.push(m);
      if (messages.length >= max) break;
    }
    const decoder = new TextDecoder();
    return {
      source: `nats:${stream}/${durable}`,
      payloads: messages.map((m) => decoder.decode(m.data)),
      async ack() {
        for (const m of messages) await m.ackAck();
      },
      async release() {
        for (const m of messages) m.nak();
      },
      close: () => nc.drain().catch(() => nc.close()),
    };
  } catch (e) {
    await nc.close();
    throw e;
  }
}

async function takeFromRabbit(conn: Connection, { queue }: SourceSpec, max: number, waitMs: number): Promise<MessageBatch> {
  const { default: amqp } = await import("amqplib");
  const connection = await amqp.connect({
    protocol: conn.type,
    hostname: conn.host ?? "127.0.0.1",
    port: conn.port ?? (conn.type === "amqps" ? 5671 : 5672),
    username: conn.login ?? "guest",
    password: conn.password ?? "guest",
    vhost: conn.schema ?? "/",
  });
  try {
    const channel = await connection.createChannel();
    await channel.checkQueue(queue); // fails clearly when the queue does not exist
    const taken: GetMessage[] = [];
    const deadline = Date.now() + waitMs;
    while (taken.length < max) {
      const m = await channel.get(queue, { noAck: false });
      if (m !== false) taken.push(m);
      else if (Date.now() >= deadline) break;
      else await new Promise((r) => setTimeout(r, 100));
    }
    const last = taken.at(-1);
    return {
      source: `amqp:${queue}`,
      payloads: taken.map((m) => m.content.toString("utf8")),
      async ack() {
        if (last) channel.ack(last, true); // every message up to the last one
      },
      async release() {
        if (last) channel.nack(last, true, true); // back to the queue, for the next attempt or run
      },
      async close() {
        await channel.close();
        await connection.close();
      },
    };
  } catch (e) {
    await connection.close();
    throw e;
  }
}
