import { InvalidInputError } from "../../core/errors.js";
import { parseDuration } from "../../core/model/duration.js";
import type { TaskContext } from "../../sdk/context.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { declareOperator, type OperatorTaskOptions } from "../shared/declare-operator.js";
import { templateRenderer } from "../shared/render.js";
import { resolveConnection } from "../shared/resolve-connection.js";
import type { ConsumedMessage } from "./codec.js";
import { sourceField, type Source } from "./mq-client.js";
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

/** The value of a `consume` task with `handle`: how many messages it handled and what `handle` returned. */
export interface HandledResult<T> {
  count: number;
  result: T;
}

/** Processes a batch inside the consuming task; the batch is acknowledged only once it resolves. */
export type ConsumeHandler<P, T> = (ctx: TaskContext<P>, messages: ConsumedMessage[]) => T | Promise<T>;

const OWN_KEYS = ["conn", "source", "max", "waitFor", "ack", "handle"] as const;

/**
 * A task taking a batch of messages from a broker chosen by the connection's type. Delivery is
 * at-least-once: the batch is acknowledged after it is collected, so a failed attempt sees it again.
 * With `handle`, the batch is processed inside this task and acknowledged only once `handle`
 * resolved (a throw hands it back to the broker for the retry): "ack after the write".
 *
 * @example
 * const batch = consume(d, "take", { conn: "redis://127.0.0.1:6379", source: "orders", max: 10, waitFor: "2s" });
 * const stored = consume(d, "store", { conn: "events_bus", source: { stream: "EVENTS", durable: "loader" },
 *   handle: async (ctx, messages) => insertRows(messages) }); // TaskRef<{ count: number; result: number }>
 */
export function consume<P, T>(d: DagBuilder<P>, id: string, options: ConsumeOptions & { handle: ConsumeHandler<P, T> }): TaskRef<HandledResult<Awaited<T>>>;
export function consume<P>(d: DagBuilder<P>, id: string, options: ConsumeOptions): TaskRef<ConsumeResult>;
export function consume<P>(d: DagBuilder<P>, id: string, options: ConsumeOptions & { handle?: ConsumeHandler<P, unknown> }): TaskRef<unknown> {
  const where = `consume("${id}")`;
  if (typeof options !== "object" || options === null) throw new InvalidInputError(`${where} needs options with conn and source`);
  if (typeof options.conn !== "string" || options.conn === "") throw new InvalidInputError(`${where}: conn must be a connection id or URI`);
  checkSource(where, options.source);
  const max = options.max ?? 100;
  if (!Number.isInteger(max) || max < 1) throw new InvalidInputError(`${where}: max must be an integer ≥ 1, got ${String(max)}`);
  const waitMs = parseDuration(options.waitFor ?? "5s", `${where}: waitFor`);
  if (options.ack !== undefined && typeof options.ack !== "boolean") throw new InvalidInputError(`${where}: ack must be true or false`);
  if (options.handle !== undefined && typeof options.handle !== "function")
    throw new InvalidInputError(`${where}: handle must be a function (ctx, messages) => result`);
  if (options.handle !== undefined && options.ack === false)
    throw new InvalidInputError(`${where}: handle acknowledges the batch once it resolves; leave ack out`);
  return declareOperator(
    d,
    "consume",
    id,
    options,
    OWN_KEYS,
    async (ctx, o): Promise<ConsumeResult | HandledResult<unknown>> => {
      const render = templateRenderer(ctx);
      const source: Source =
        typeof o.source === "string"
          ? render(o.source)
          : (Object.fromEntries(Object.entries(o.source).map(([k, v]) => [k, typeof v === "string" ? render(v) : v])) as Source);
      const conn = await resolveConnection(ctx, o.conn);
      const client = await openMqClient(conn);
      try {
        const handle = o.handle;
        let handled: { result: unknown } | null = null;
        const beforeAck =
          handle === undefined
            ? undefined
            : async (batch: ConsumedMessage[]) => {
                handled = { result: await handle(ctx as TaskContext<P>, batch) };
                ctx.log.info(`handled ${batch.length} message(s); acknowledging them`);
              };
        const messages = await client.consume({
          source,
          max,
          waitMs,
          ack: o.ack ?? true,
          ...(beforeAck ? { beforeAck } : {}),
          defaultName: `${ctx.dagId}.${ctx.taskId}`,
        });
        ctx.log.info(`consumed ${messages.length} message(s)`, { type: conn.type });
        if (handle === undefined) return { messages, count: messages.length };
        // Brokers skip the acknowledgement of an empty batch: handle it here, so the value is the same shape.
        const done = handled as { result: unknown } | null;
        return { count: messages.length, result: done !== null ? done.result : await handle(ctx as TaskContext<P>, []) };
      } finally {
        await client.close();
      }
    },
    (o) => ({ inputs: [{ kind: "topic", conn: o.conn, name: sourceName(o.source) }], outputs: [] }),
  );
}

/** The topic, queue, stream or subject a source reads, for lineage. */
function sourceName(source: Source): string {
  if (typeof source === "string") return source;
  return sourceField(source, "topic") ?? sourceField(source, "queue") ?? sourceField(source, "stream") ?? "";
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
