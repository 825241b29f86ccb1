import { InvalidInputError } from "../../core/errors.js";
import { parseDuration } from "../../core/model/duration.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { declareOperator, type OperatorTaskOptions } from "../shared/declare-operator.js";
import { templateRenderer } from "../shared/render.js";
import { resolveConnection } from "../shared/resolve-connection.js";
import type { ConsumedMessage } from "./codec.js";
import type { Source } from "./mq-client.js";
import { openMqClient } from "./open-mq-client.js";

export interface ConsumeOptions extends OperatorTaskOptions {
  /** A connection id or URI of type nats, amqp/amqps, redis/rediss, mqtt/mqtts or kafka. */
  conn: string;
  /**
   * NATS `{ stream, durable }`; AMQP a queue; Redis a stream key or `{ stream, group?, consumer? }`;
   * MQTT a topic filter or `{ topic, clientId? }`; Kafka a topic or `{ topic, groupId? }`. Strings are templates.
   */
  source: Source;
  /** Most messages taken. Default 100. */
  max?: number;
  /** Longest wait for `max` messages; the task returns what it has then. Default "5s". */
  waitFor?: number | string;
  /** Acknowledge the batch after collecting it (false leaves it for redelivery). Default true. */
  ack?: boolean;
}

/** The value of a `consume` task. */
export interface ConsumeResult {
  messages: ConsumedMessage[];
  count: number;
}

const OWN_KEYS = ["conn", "source", "max", "waitFor", "ack"] as const;

/**
 * A task taking a batch of messages from a broker chosen by the connection's type. Delivery is
 * at-least-once: the batch is acknowledged after it is collected, so a failed attempt sees it again.
 *
 * @example
 * const batch = consume(d, "take", { conn: "redis://127.0.0.1:6379", source: "orders", max: 10, waitFor: "2s" });
 */
export function consume<P>(d: DagBuilder<P>, id: string, options: ConsumeOptions): TaskRef<ConsumeResult> {
  const where = `consume("${id}")`;
  if (typeof options !== "object" || options === null) throw new InvalidInputError(`${where} needs options with conn and source`);
  if (typeof options.conn !== "string" || options.conn === "") throw new InvalidInputError(`${where}: conn must be a connection id or URI`);
  checkSource(where, options.source);
  const max = options.max ?? 100;
  if (!Number.isInteger(max) || max < 1) throw new InvalidInputError(`${where}: max must be an integer ≥ 1, got ${String(max)}`);
  const waitMs = parseDuration(options.waitFor ?? "5s", `${where}: waitFor`);
  if (options.ack !== undefined && typeof options.ack !== "boolean") throw new InvalidInputError(`${where}: ack must be true or false`);
  return declareOperator(d, "consume", id, options, OWN_KEYS, async (ctx, o): Promise<ConsumeResult> => {
    const render = templateRenderer(ctx);
    const source: Source =
      typeof o.source === "string"
        ? render(o.source)
        : (Object.fromEntries(Object.entries(o.source).map(([k, v]) => [k, typeof v === "string" ? render(v) : v])) as Source);
    const conn = await resolveConnection(ctx, o.conn);
    const client = await openMqClient(conn);
    try {
      const messages = await client.consume({ source, max, waitMs, ack: o.ack ?? true, defaultName: `${ctx.dagId}.${ctx.taskId}` });
      ctx.log.info(`consumed ${messages.length} message(s)`, { type: conn.type });
      return { messages, count: messages.length };
    } finally {
      await client.close();
    }
  });
}

function checkSource(where: string, source: unknown): void {
  if (typeof source === "string" && source !== "") return;
  if (typeof source === "object" && source !== null && !Array.isArray(source)) {
    const fields = Object.entries(source);
    const known = ["stream", "durable", "group", "consumer", "queue", "topic", "clientId", "groupId"];
    const bad = fields.find(([k, v]) => !known.includes(k) || typeof v !== "string" || v === "");
    if (fields.length > 0 && bad === undefined) return;
    if (bad !== undefined) throw new InvalidInputError(`${where}: source field "${bad[0]}" must be one of ${known.join(", ")} with a non-empty string`);
  }
  throw new InvalidInputError(`${where}: source must be a non-empty string (queue, stream key, topic) or an object such as { stream, durable }`);
}
