import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { FailTask } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import { decodePayload, type ConsumedMessage } from "./codec.js";
import { sourceField, type ConsumeRequest, type MqClient, type PublishRequest } from "./mq-client.js";

/** MQTT 5 client options of a connection; a `clientId` makes a persistent session (clean: false). */
export function mqttOptions(conn: Connection, clientId?: string): IClientOptions {
  const tls = conn.type.toLowerCase() === "mqtts";
  return {
    protocol: tls ? "mqtts" : "mqtt",
    host: conn.host ?? "127.0.0.1",
    port: conn.port ?? (tls ? 8883 : 1883),
    username: conn.login ?? undefined,
    password: conn.password ?? undefined,
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...(clientId === undefined ? {} : { clientId, clean: false, properties: { sessionExpiryInterval: Number(conn.extra.sessionExpiry ?? 86_400) } }),
  };
}

/**
 * MQTT: publishes with QoS 1 (each publish waits for the broker's PUBACK); consumes by
 * subscribing (QoS 1) and collecting until `max` messages or `waitMs`. Only a persistent session
 * (`source: { topic, clientId }`) receives what was published while no one was subscribed.
 */
export async function openMqtt(conn: Connection): Promise<MqClient> {
  let client: MqttClient | null = null;
  const open = (clientId?: string, onMessage?: (topic: string, payload: Buffer, props: Record<string, string>) => void) =>
    new Promise<MqttClient>((resolve, reject) => {
      const c = mqtt.connect(mqttOptions(conn, clientId));
      client = c;
      // Attached before CONNACK: a persistent session delivers its queued messages right after it.
      if (onMessage) c.on("message", (topic, payload, packet) => onMessage(topic, payload, userProperties(packet.properties?.userProperties)));
      c.once("connect", () => resolve(c));
      c.on("error", reject);
      c.once("close", () => reject(new Error(`MQTT connection to ${conn.host ?? "127.0.0.1"}:${conn.port ?? 1883} closed`)));
    });
  return {
    async publish({ destination, payloads, headers }: PublishRequest) {
      if (typeof destination !== "string") throw new FailTask(`connection "${conn.id}" (mqtt): destination must be a topic`);
      const c = await open();
      const properties = Object.keys(headers).length > 0 ? { userProperties: headers } : undefined;
      for (const payload of payloads) await c.publishAsync(destination, payload, { qos: 1, properties });
      return [];
    },
    async consume({ source, max, waitMs, beforeAck }: ConsumeRequest) {
      const topic = typeof source === "string" ? source : sourceField(source, "topic");
      if (topic === undefined) throw new FailTask(`connection "${conn.id}" (mqtt): source must be a topic filter or { topic, clientId? }`);
      if (beforeAck !== undefined) {
        throw new FailTask(
          `connection "${conn.id}" (mqtt): handle is not supported for MQTT, which acknowledges each message on receipt; consume, then process downstream`,
        );
      }
      const out: ConsumedMessage[] = [];
      let done: () => void = () => {};
      const full = new Promise<void>((r) => (done = r));
      const c = await open(sourceField(source, "clientId"), (t, payload, props) => {
        if (out.length >= max) return;
        out.push({ data: decodePayload(payload), headers: props, id: null, subject: t });
        if (out.length >= max) done();
      });
      await c.subscribeAsync(topic, { qos: 1 });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([full, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
      clearTimeout(timer);
      return out;
    },
    async close() {
      const c = client as MqttClient | null;
      if (c !== null) await c.endAsync().catch(() => {});
    },
  };
}

function userProperties(p: Record<string, string | string[]> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p ?? {})) out[k] = Array.isArray(v) ? v.join(",") : v;
  return out;
}
