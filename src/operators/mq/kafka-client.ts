import kafkajs, { type KafkaConfig, type KafkaMessage, type Message, type SASLOptions } from "kafkajs";
import { FailTask } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import { decodePayload, type ConsumedMessage } from "./codec.js";
import { sourceField, type ConsumeRequest, type MqClient, type PublishRequest } from "./mq-client.js";

const SASL = ["plain", "scram-sha-256", "scram-sha-512"] as const;

/**
 * kafkajs client options of a connection: brokers from extra `brokers` ("h1:9092,h2:9092") else
 * host:port; login/password → SASL (extra `saslMechanism`, default plain); extra `ssl=true` → TLS.
 */
export function kafkaConfig(conn: Connection): KafkaConfig {
  const brokers = conn.extra.brokers
    ? conn.extra.brokers
        .split(",")
        .map((b) => b.trim())
        .filter((b) => b !== "")
    : [`${conn.host ?? "127.0.0.1"}:${conn.port ?? 9092}`];
  const config: KafkaConfig = { clientId: conn.extra.clientId ?? "baton", brokers, connectionTimeout: 10_000, retry: { retries: 2 } };
  if (conn.extra.ssl === "true") config.ssl = true;
  if (conn.login !== null) {
    const mechanism = (conn.extra.saslMechanism ?? "plain").toLowerCase();
    if (!(SASL as readonly string[]).includes(mechanism)) {
      throw new FailTask(`connection "${conn.id}" (kafka): saslMechanism "${mechanism}" is not one of ${SASL.join(", ")}`);
    }
    config.sasl = { mechanism, username: conn.login, password: conn.password ?? "" } as SASLOptions;
  }
  return config;
}

/** The kafkajs messages of a publish: one per payload, with the same headers. */
export function kafkaMessages(payloads: readonly Buffer[], headers: Record<string, string>): Message[] {
  const h = Object.keys(headers).length > 0 ? { ...headers } : undefined;
  return payloads.map((value) => (h === undefined ? { value } : { value, headers: h }));
}

/** A consumed kafkajs message as `consume` returns it (id is the offset). */
export function fromKafkaMessage(topic: string, m: KafkaMessage): ConsumedMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    if (v === undefined) continue;
    headers[k] = (Array.isArray(v) ? v : [v]).map((x) => x.toString()).join(",");
  }
  return { data: m.value === null ? null : decodePayload(m.value), headers, id: m.offset, subject: topic };
}

/** Kafka: a producer send per publish; consume joins a group (default `<dagId>.<taskId>`) and commits offsets after the batch. */
export async function openKafka(conn: Connection): Promise<MqClient> {
  const kafka = new kafkajs.Kafka({ ...kafkaConfig(conn), logLevel: kafkajs.logLevel.WARN });
  const closers: (() => Promise<void>)[] = [];
  return {
    async publish({ destination, payloads, headers }: PublishRequest) {
      if (typeof destination !== "string") throw new FailTask(`connection "${conn.id}" (kafka): destination must be a topic`);
      const producer = kafka.producer();
      await producer.connect();
      closers.push(() => producer.disconnect());
      const meta = await producer.send({ topic: destination, messages: kafkaMessages(payloads, headers) });
      return meta.map((r) => `${r.partition}:${r.baseOffset ?? ""}`);
    },
    async consume({ source, max, waitMs, ack, beforeAck, defaultName }: ConsumeRequest) {
      const topic = typeof source === "string" ? source : sourceField(source, "topic");
      if (topic === undefined) throw new FailTask(`connection "${conn.id}" (kafka): source must be a topic or { topic, groupId? }`);
      const consumer = kafka.consumer({ groupId: sourceField(source, "groupId") ?? defaultName });
      await consumer.connect();
      closers.push(() => consumer.disconnect());
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const out: ConsumedMessage[] = [];
      const next = new Map<number, string>();
      let done: () => void = () => {};
      const full = new Promise<void>((r) => (done = r));
      // waitFor counts from joining the group (a rebalance takes seconds), at most 30s after subscribing.
      const joined = new Promise<void>((r) => {
        const off = consumer.on(consumer.events.GROUP_JOIN, () => (off(), r()));
      });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (out.length >= max) return;
          out.push(fromKafkaMessage(topic, message));
          next.set(partition, (BigInt(message.offset) + 1n).toString());
          if (out.length >= max) done();
        },
      });
      let joinTimer: NodeJS.Timeout | undefined;
      await Promise.race([joined, full, new Promise<void>((r) => (joinTimer = setTimeout(r, 30_000)))]);
      clearTimeout(joinTimer);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([full, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
      clearTimeout(timer);
      consumer.pause([{ topic }]);
      // A beforeAck that throws commits nothing: the group reads the batch again.
      if (ack && next.size > 0) await beforeAck?.(out);
      if (ack && next.size > 0) await consumer.commitOffsets([...next].map(([partition, offset]) => ({ topic, partition, offset })));
      return out;
    },
    async close() {
      for (const close of closers.reverse()) await close().catch(() => {});
    },
  };
}
