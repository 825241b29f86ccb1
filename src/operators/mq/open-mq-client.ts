import { FailTask } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import type { MqClient } from "./mq-client.js";

export const MQ_TYPES = ["nats", "amqp", "amqps", "redis", "rediss", "mqtt", "mqtts", "kafka"] as const;

/** Opens a client for the connection's type; the driver is imported only when used. */
export async function openMqClient(conn: Connection): Promise<MqClient> {
  switch (conn.type.toLowerCase()) {
    case "nats":
      return (await import("./nats-client.js")).openNats(conn);
    case "amqp":
    case "amqps":
      return (await import("./amqp-client.js")).openAmqp(conn);
    case "redis":
    case "rediss":
      return (await import("./redis-client.js")).openRedis(conn);
    case "mqtt":
    case "mqtts":
      return (await import("./mqtt-client.js")).openMqtt(conn);
    case "kafka":
      return (await import("./kafka-client.js")).openKafka(conn);
    default:
      throw new FailTask(`connection "${conn.id}" has type "${conn.type}"; publish/consume support: ${MQ_TYPES.join(", ")}`);
  }
}
