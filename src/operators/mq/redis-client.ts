import { Redis } from "ioredis";
import { FailTask } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import { decodePayload, type ConsumedMessage } from "./codec.js";
import { sourceField, type ConsumeRequest, type MqClient, type PublishRequest } from "./mq-client.js";

/** Entry fields: the payload under "data", headers (if any) as a JSON object under "headers". */
export const DATA_FIELD = "data";
export const HEADERS_FIELD = "headers";

/**
 * Redis Streams: XADD to a stream key; XREADGROUP in a consumer group (created at the start of
 * the stream if missing), first this consumer's pending entries, then new ones; XACK after.
 */
export async function openRedis(conn: Connection): Promise<MqClient> {
  const redis = await connectRedis(conn, (message) => new FailTask(message));
  return {
    async publish({ destination, payloads, headers }: PublishRequest) {
      if (typeof destination !== "string") throw new FailTask(`connection "${conn.id}" (redis): destination must be a stream key`);
      const extra = Object.keys(headers).length > 0 ? [HEADERS_FIELD, JSON.stringify(headers)] : [];
      const ids: string[] = [];
      for (const payload of payloads) {
        const id = await redis.xadd(destination, "*", DATA_FIELD, payload, ...extra);
        if (id !== null) ids.push(id);
      }
      return ids;
    },
    async consume({ source, max, waitMs, ack, beforeAck, defaultName }: ConsumeRequest) {
      const key = typeof source === "string" ? source : sourceField(source, "stream");
      if (key === undefined) throw new FailTask(`connection "${conn.id}" (redis): source must be a stream key or { stream, group?, consumer? }`);
      const group = sourceField(source, "group") ?? "baton";
      const consumer = sourceField(source, "consumer") ?? defaultName;
      try {
        await redis.xgroup("CREATE", key, group, "0", "MKSTREAM");
      } catch (e) {
        if (!String((e as Error).message).includes("BUSYGROUP")) throw e;
      }
      const out: ConsumedMessage[] = [];
      // Entries delivered to this consumer before but never acknowledged (an earlier failed attempt) come first.
      out.push(...(await read(redis, group, consumer, key, max, null, "0")));
      const deadline = Date.now() + waitMs;
      while (out.length < max) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        const got = await read(redis, group, consumer, key, max - out.length, left, ">");
        out.push(...got);
      }
      // A beforeAck that throws leaves the entries pending: this consumer reads them first next time.
      if (ack && out.length > 0) {
        await beforeAck?.(out);
        await redis.xack(key, group, ...out.map((m) => String(m.id)));
      }
      return out;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

async function read(
  redis: Redis,
  group: string,
  consumer: string,
  key: string,
  count: number,
  blockMs: number | null,
  from: string,
): Promise<ConsumedMessage[]> {
  const block = blockMs === null ? [] : ["BLOCK", Math.max(1, Math.ceil(blockMs))];
  const reply: unknown = await redis.callBuffer("XREADGROUP", "GROUP", group, consumer, "COUNT", count, ...block, "STREAMS", key, from);
  const entries = streamEntries(reply);
  return entries.filter(([, fields]) => fields !== null).map(([id, fields]) => entryToMessage(key, id.toString(), fields ?? []));
}

type Entry = [Buffer, Buffer[] | null];

/** The entries of a one-stream XREADGROUP reply: `[[key, entries]]`, or `[key, entries]` as ioredis 6 may flatten it; null when none. */
export function streamEntries(reply: unknown): Entry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const stream: unknown = Buffer.isBuffer(reply[0]) || typeof reply[0] === "string" ? reply : reply[0];
  const entries = Array.isArray(stream) ? (stream[1] as unknown) : undefined;
  return Array.isArray(entries) ? (entries as Entry[]) : [];
}

/** Turns a stream entry into a message: "data" and "headers" fields, or all fields as data when there is no "data". */
export function entryToMessage(key: string, id: string, fields: readonly Buffer[]): ConsumedMessage {
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!.toString(), fields[i + 1]!);
  const data = map.get(DATA_FIELD);
  let headers: Record<string, string> = {};
  const h = map.get(HEADERS_FIELD);
  if (h !== undefined) {
    const parsed = decodePayload(h);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      headers = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  }
  if (data === undefined) return { data: Object.fromEntries([...map].map(([k, v]) => [k, v.toString()])), headers, id, subject: key };
  return { data: decodePayload(data), headers, id, subject: key };
}

/**
 * A connected ioredis client from a Baton connection (host, port, login/password, schema = db
 * number, type rediss = TLS). A bad schema is reported with `invalid(message)`.
 */
export async function connectRedis(conn: Connection, invalid: (message: string) => Error): Promise<Redis> {
  const db = conn.schema === null ? 0 : Number(conn.schema);
  if (!Number.isInteger(db) || db < 0) throw invalid(`connection "${conn.id}" (redis): schema must be a database number, got "${conn.schema}"`);
  const redis = new Redis({
    host: conn.host ?? "127.0.0.1",
    port: conn.port ?? 6379,
    username: conn.login ?? undefined,
    password: conn.password ?? undefined,
    db,
    tls: conn.type.toLowerCase() === "rediss" ? {} : undefined,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  // Failures surface through the pending command; without a listener ioredis prints every "error" event.
  redis.on("error", () => {});
  try {
    await redis.connect();
  } catch (e) {
    redis.disconnect();
    throw e;
  }
  return redis;
}
