import { InvalidInputError } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import type { BrokerKind, MessageTriggerSpec } from "../../core/model/event-trigger-spec.js";
import type { MessageSource } from "./message-source.js";
import { loadOptional } from "../../core/optional-module.js";

/** The connection types each broker accepts. */
export const BROKER_CONNECTION_TYPES: Record<BrokerKind, readonly string[]> = {
  nats: ["nats"],
  amqp: ["amqp", "amqps"],
  redis: ["redis", "rediss"],
  mqtt: ["mqtt", "mqtts"],
  kafka: ["kafka"],
};

/** Opens the trigger's source on its connection; the driver is imported only when used. */
export async function openMessageSource(conn: Connection, spec: MessageTriggerSpec): Promise<MessageSource> {
  const broker = spec.source.broker;
  const types = BROKER_CONNECTION_TYPES[broker];
  if (!types.includes(conn.type.toLowerCase())) {
    throw new InvalidInputError(`trigger "${spec.id}": connection "${conn.id}" has type "${conn.type}", but broker ${broker} needs type ${types.join(" or ")}`);
  }
  switch (broker) {
    case "nats":
      return (await loadOptional("NATS", ["nats"], () => import("./nats-source.js"))).openNatsSource(conn, spec);
    case "amqp":
      return (await loadOptional("RabbitMQ (AMQP)", ["amqplib"], () => import("./amqp-source.js"))).openAmqpSource(conn, spec);
    case "redis":
      return (await loadOptional("Redis", ["ioredis"], () => import("./redis-source.js"))).openRedisSource(conn, spec);
    case "mqtt":
      return (await loadOptional("MQTT", ["mqtt"], () => import("./mqtt-source.js"))).openMqttSource(conn, spec);
    case "kafka":
      return (await loadOptional("Kafka", ["kafkajs"], () => import("./kafka-source.js"))).openKafkaSource(conn, spec);
  }
}
