import { FailTask } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import type { MqClient } from "./mq-client.js";
import { loadOptional } from "../../core/optional-module.js";

export const MQ_TYPES = ["nats", "amqp", "amqps", "redis", "rediss", "mqtt", "mqtts", "kafka"] as const;

/** Opens a client for the connection's type; the driver is imported only when used. */
export async function openMqClient(conn: Connection): Promise<MqClient> {
  switch (conn.type.toLowerCase()) {
    case "nats":
      return (await loadOptional("NATS", ["nats"], () => import("./nats-client.js"))).openNats(conn);
    case "amqp":
    case "amqps":
      return (await loadOptional("RabbitMQ (AMQP)", ["amqplib"], () => import("./amqp-client.js"))).openAmqp(conn);
    case "redis":
    case "rediss":
      return (await loadOptional("Redis", ["ioredis"], () => import("./redis-client.js"))).openRedis(conn);
    case "mqtt":
    case "mqtts":
      return (await loadOptional("MQTT", ["mqtt"], () => import("./mqtt-client.js"))).openMqtt(conn);
    case "kafka":
      return (await loadOptional("Kafka", ["kafkajs"], () => import("./kafka-client.js"))).openKafka(conn);
    default:
      throw new FailTask(`connection "${conn.id}" has type "${conn.type}"; publish/consume support: ${MQ_TYPES.join(", ")}`);
  }
}
