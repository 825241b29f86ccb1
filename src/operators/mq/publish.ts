import { InvalidInputError } from "../../core/errors.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { declareOperator, type OperatorTaskOptions } from "../shared/declare-operator.js";
import { templateRenderer } from "../shared/render.js";
import { resolveConnection } from "../shared/resolve-connection.js";
import { checkHeaders, collectMessages, encodeMessage, renderMessage, type OutgoingMessage } from "./codec.js";
import type { Destination } from "./mq-client.js";
import { openMqClient } from "./open-mq-client.js";

export interface PublishOptions extends OperatorTaskOptions {
  /** A connection id or URI of type nats, amqp/amqps, redis/rediss, mqtt/mqtts or kafka. */
  conn: string;
  /** Subject (NATS), stream key (Redis), topic (MQTT, Kafka), queue or `{ exchange, routingKey }` (AMQP). Strings are templates. */
  destination: Destination;
  /** Messages sent in order. Give this or `message`. Strings (also inside JSON values) are templates. */
  messages?: readonly OutgoingMessage[];
  message?: OutgoingMessage;
  /** Sent with every message; values are templates. */
  headers?: Record<string, string>;
}

/** The value of a `publish` task. */
export interface PublishResult {
  count: number;
  /** Broker ids in order: NATS stream sequences, Redis entry ids, AMQP message ids, Kafka `partition:offset`; empty for MQTT. */
  ids: (string | number)[];
}

const OWN_KEYS = ["conn", "destination", "messages", "message", "headers"] as const;

/**
 * A task publishing messages to a broker chosen by the connection's type.
 *
 * @example
 * publish(d, "announce", { conn: "nats://127.0.0.1:4222", destination: "orders.created", messages: [{ id: 1 }, { id: 2 }] });
 */
export function publish<P>(d: DagBuilder<P>, id: string, options: PublishOptions): TaskRef<PublishResult> {
  const where = `publish("${id}")`;
  if (typeof options !== "object" || options === null) throw new InvalidInputError(`${where} needs options with conn, destination and messages`);
  if (typeof options.conn !== "string" || options.conn === "") throw new InvalidInputError(`${where}: conn must be a connection id or URI`);
  checkDestination(where, options.destination);
  collectMessages(where, options.messages, options.message);
  checkHeaders(where, options.headers);
  return declareOperator(
    d,
    "publish",
    id,
    options,
    OWN_KEYS,
    async (ctx, o): Promise<PublishResult> => {
      const render = templateRenderer(ctx);
      const destination = renderDestination(o.destination, render);
      const payloads = collectMessages(where, o.messages, o.message).map((m) => encodeMessage(renderMessage(m, render)));
      const headers = Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k, render(v)]));
      const conn = await resolveConnection(ctx, o.conn);
      const client = await openMqClient(conn);
      try {
        const ids = await client.publish({ destination, payloads, headers });
        ctx.log.info(`published ${payloads.length} message(s)`, { type: conn.type, destination: describe(destination) });
        return { count: payloads.length, ids };
      } finally {
        await client.close();
      }
    },
    (o) => ({ inputs: [], outputs: [{ kind: "topic", conn: o.conn, name: describe(o.destination) }] }),
  );
}

function checkDestination(where: string, destination: unknown): void {
  if (typeof destination === "string" && destination !== "") return;
  if (typeof destination === "object" && destination !== null) {
    const o = destination as Record<string, unknown>;
    if (typeof o.exchange === "string" && (o.routingKey === undefined || typeof o.routingKey === "string")) return;
    if (typeof o.queue === "string" && o.queue !== "") return;
  }
  throw new InvalidInputError(`${where}: destination must be a non-empty string (subject, stream key, topic, queue) or { exchange, routingKey? } or { queue }`);
}

function renderDestination(d: Destination, render: (t: string) => string): Destination {
  if (typeof d === "string") return render(d);
  if ("queue" in d) return { queue: render(d.queue) };
  return { exchange: render(d.exchange), ...(d.routingKey === undefined ? {} : { routingKey: render(d.routingKey) }) };
}

function describe(d: Destination): string {
  return typeof d === "string" ? d : "queue" in d ? d.queue : `${d.exchange}/${d.routingKey ?? ""}`;
}
