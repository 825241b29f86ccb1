import mqtt, { type IPublishPacket } from "mqtt";
import type { Connection } from "../../core/model/connection.js";
import type { MessageTriggerSpec } from "../../core/model/event-trigger-spec.js";
import { decodePayload } from "../../operators/mq/codec.js";
import { mqttOptions } from "../../operators/mq/mqtt-client.js";
import { DeliveryBuffer } from "./delivery-buffer.js";
import { headerId, messageKey, type Delivery, type MessageSource } from "./message-source.js";

/**
 * MQTT 5: a persistent session (`clientId`, clean: false) subscribed to the topic with QoS 1.
 * A message's PUBACK is sent only on `ack`, so a message whose run was not stored is delivered
 * again (DUP) when the session resumes. The client handles one message at a time: the next
 * arrives after the previous is acknowledged (hence no batches). Key: the `message-id` user
 * property, else a content key.
 */
export async function openMqttSource(conn: Connection, spec: MessageTriggerSpec): Promise<MessageSource> {
  const s = spec.source;
  if (s.broker !== "mqtt") throw new Error(`not an MQTT trigger: ${s.broker}`);
  const buffer = new DeliveryBuffer<Delivery>();
  const held = new Map<Delivery, () => void>();
  const toDelivery = (topic: string, payload: Buffer, packet: IPublishPacket): Delivery => {
    const headers = userProperties(packet.properties?.userProperties);
    const id = headerId(headers);
    return { message: { data: decodePayload(payload), headers, id, subject: topic }, ...messageKey(id, topic, headers, payload), redelivered: packet.dup };
  };
  const client = mqtt.connect({
    ...mqttOptions(conn, s.clientId),
    // Called for QoS 1 and 2; the acknowledgement is sent when `done(0)` is called.
    customHandleAcks: (topic: string, payload: Buffer, packet: IPublishPacket, done: (code: number) => void) => {
      const d = toDelivery(topic, payload, packet);
      held.set(d, () => done(0));
      buffer.push(d);
    },
  });
  // QoS 0 messages have no acknowledgement: taken as they come.
  client.on("message", (topic, payload, packet) => {
    if (packet.qos === 0) buffer.push(toDelivery(topic, payload, packet));
  });
  client.on("close", () => buffer.fail(new Error(`MQTT connection to ${conn.host ?? "127.0.0.1"}:${conn.port ?? 1883} closed`)));
  client.on("error", (e) => buffer.fail(e));
  try {
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
      client.once("close", () => reject(new Error(`MQTT connection to ${conn.host ?? "127.0.0.1"}:${conn.port ?? 1883} closed`)));
    });
  } catch (e) {
    client.end(true);
    throw e;
  }
  // Not awaited: a message queued in the session may arrive first, and the SUBACK is read only
  // after that message is acknowledged.
  client.subscribe(s.topic, { qos: 1 }, (err, granted) => {
    const code = granted?.[0]?.qos ?? 0;
    if (err) buffer.fail(err);
    else if (code >= 128) buffer.fail(new Error(`MQTT broker refused the subscription to ${s.topic} (reason ${code})`));
  });
  return {
    receive: (max, waitMs) => buffer.take(max, waitMs),
    async ack(deliveries) {
      for (const d of deliveries) {
        held.get(d)?.();
        held.delete(d);
      }
    },
    async close() {
      // Forced: nothing more is acknowledged; the session keeps the rest for the next connection.
      held.clear();
      await client.endAsync(true).catch(() => {});
    },
  };
}

function userProperties(p: Record<string, string | string[]> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p ?? {})) out[k] = Array.isArray(v) ? v.join(",") : v;
  return out;
}
