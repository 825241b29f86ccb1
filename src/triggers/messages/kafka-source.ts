import kafkajs, { type KafkaMessage } from "kafkajs";
import type { Connection } from "../../core/model/connection.js";
import type { MessageTriggerSpec } from "../../core/model/event-trigger-spec.js";
import { fromKafkaMessage, kafkaConfig } from "../../operators/mq/kafka-client.js";
import { DeliveryBuffer } from "./delivery-buffer.js";
import { PREFETCH, type Delivery, type MessageSource } from "./message-source.js";

/** A Kafka message as a delivery: key "p<partition>.o<offset>" (the topic is the trigger's). */
export function kafkaDelivery(topic: string, partition: number, m: KafkaMessage): Delivery {
  return { message: fromKafkaMessage(topic, m), key: `p${partition}.o${m.offset}`, stable: true, redelivered: false };
}

/** The offsets to commit once `deliveries` have runs: per partition, the highest offset + 1. */
export function kafkaCommits(topic: string, deliveries: readonly Delivery[]): { topic: string; partition: number; offset: string }[] {
  const next = new Map<number, bigint>();
  for (const d of deliveries) {
    const m = /^p(\d+)\.o(\d+)$/.exec(d.key);
    if (!m) continue;
    const partition = Number(m[1]);
    const offset = BigInt(m[2]!) + 1n;
    if ((next.get(partition) ?? -1n) < offset) next.set(partition, offset);
  }
  return [...next].sort(([a], [b]) => a - b).map(([partition, offset]) => ({ topic, partition, offset: offset.toString() }));
}

/**
 * Kafka: joins consumer group `groupId` with auto-commit off; offsets are committed after the
 * runs exist (a commit covers every earlier offset of its partition). Uncommitted messages are
 * read again after a restart or rebalance.
 */
export async function openKafkaSource(conn: Connection, spec: MessageTriggerSpec): Promise<MessageSource> {
  const s = spec.source;
  if (s.broker !== "kafka") throw new Error(`not a Kafka trigger: ${s.broker}`);
  const kafka = new kafkajs.Kafka({ ...kafkaConfig(conn), logLevel: kafkajs.logLevel.WARN });
  const consumer = kafka.consumer({ groupId: s.groupId });
  const buffer = new DeliveryBuffer<Delivery>();
  const cap = spec.batch?.size ?? PREFETCH;
  try {
    await consumer.connect();
    consumer.on(consumer.events.CRASH, (e) => buffer.fail(e.payload.error));
    await consumer.subscribe({ topics: [s.topic], fromBeginning: spec.startAt === "earliest" });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        await buffer.room(cap);
        buffer.push(kafkaDelivery(topic, partition, message));
      },
    });
  } catch (e) {
    await consumer.disconnect().catch(() => {});
    throw e;
  }
  return {
    receive: (max, waitMs) => buffer.take(max, waitMs),
    async ack(deliveries) {
      const commits = kafkaCommits(s.topic, deliveries);
      if (commits.length > 0) await consumer.commitOffsets(commits);
    },
    async close() {
      buffer.fail(new Error("closed"));
      await consumer.disconnect().catch(() => {});
    },
  };
}
