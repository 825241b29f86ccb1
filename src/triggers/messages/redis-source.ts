import { InvalidInputError } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import type { MessageTriggerSpec } from "../../core/model/event-trigger-spec.js";
import { connectRedis, entryToMessage, streamEntries } from "../../operators/mq/redis-client.js";
import type { Delivery, MessageSource } from "./message-source.js";

/**
 * Redis Streams: XREADGROUP in consumer group `group` (created with MKSTREAM at the start of the
 * stream, or at its end for startAt "latest") as consumer `consumer`. This consumer's pending
 * entries (read before a restart, never acknowledged) come first, then new ones. Key: the entry id.
 */
export async function openRedisSource(conn: Connection, spec: MessageTriggerSpec): Promise<MessageSource> {
  const s = spec.source;
  if (s.broker !== "redis") throw new Error(`not a Redis trigger: ${s.broker}`);
  const redis = await connectRedis(conn, (message) => new InvalidInputError(message));
  try {
    await redis.xgroup("CREATE", s.stream, s.group, spec.startAt === "latest" ? "$" : "0", "MKSTREAM");
  } catch (e) {
    if (!String((e as Error).message).includes("BUSYGROUP")) {
      redis.disconnect();
      throw e;
    }
  }
  // Reading this consumer's pending entries from `pendingAfter` on; null once they are all read.
  let pendingAfter: string | null = "0";
  const read = async (count: number, blockMs: number | null, from: string): Promise<Delivery[]> => {
    const block = blockMs === null ? [] : ["BLOCK", Math.max(1, Math.ceil(blockMs))];
    const reply: unknown = await redis.callBuffer("XREADGROUP", "GROUP", s.group, s.consumer, "COUNT", count, ...block, "STREAMS", s.stream, from);
    return streamEntries(reply)
      .filter(([, fields]) => fields !== null) // an entry deleted while pending
      .map(([id, fields]) => ({ message: entryToMessage(s.stream, id.toString(), fields ?? []), key: id.toString(), stable: true, redelivered: from !== ">" }));
  };
  return {
    async receive(max, waitMs) {
      if (pendingAfter !== null) {
        const got = await read(max, null, pendingAfter);
        if (got.length > 0) {
          pendingAfter = got.at(-1)!.key;
          return got;
        }
        pendingAfter = null;
      }
      return read(max, waitMs, ">");
    },
    async ack(deliveries) {
      if (deliveries.length > 0) await redis.xack(s.stream, s.group, ...deliveries.map((d) => d.key));
    },
    async close() {
      redis.disconnect();
    },
  };
}
