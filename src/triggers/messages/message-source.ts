import type { Connection } from "../../core/model/connection.js";
import type { MessageTriggerSpec } from "../../core/model/event-trigger-spec.js";
import type { ConsumedMessage } from "../../operators/mq/codec.js";
import { safeKey, sha256 } from "../event-run-ids.js";

/** A message received and not yet acknowledged. */
export interface Delivery {
  message: ConsumedMessage;
  /**
   * What the run id derives from: the broker's id when it gives a stable one (NATS "s<seq>",
   * Redis entry id, Kafka "p<partition>.o<offset>", AMQP/MQTT message id), else a content key.
   */
  key: string;
  /** False for a content key: identical messages share it (see resolveEventRun). */
  stable: boolean;
  /** The broker says it delivered this message before (AMQP redelivered, MQTT DUP, NATS delivery count > 1). */
  redelivered: boolean;
}

/**
 * One subscription to a broker. Messages stay unacknowledged until `ack`; `close` releases the
 * rest so the broker delivers them again (now or after its redelivery timeout).
 */
export interface MessageSource {
  /** Up to `max` deliveries: as soon as there is at least one, else after `waitMs` (possibly none). */
  receive(max: number, waitMs: number): Promise<Delivery[]>;
  ack(deliveries: readonly Delivery[]): Promise<void>;
  close(): Promise<void>;
}

/** Opens the source of a message trigger on its resolved connection. */
export type OpenMessageSource = (conn: Connection, spec: MessageTriggerSpec) => Promise<MessageSource>;

/** Messages prefetched per subscription in per-message mode. */
export const PREFETCH = 16;

/** The key of a message: the broker's id when it has one, else `c<hash>` of subject, headers and payload. */
export function messageKey(id: string | null, subject: string, headers: Record<string, string>, payload: Uint8Array): { key: string; stable: boolean } {
  if (id !== null && id !== "") return { key: safeKey(`m${id}`), stable: true };
  const sortedHeaders = JSON.stringify(Object.entries(headers).sort(([a], [b]) => a.localeCompare(b)));
  return { key: `c${sha256(Buffer.concat([Buffer.from(`${subject}\0${sortedHeaders}\0`), payload])).slice(0, 32)}`, stable: false };
}

/** The id a message carries in a `message-id` header / MQTT 5 user property, if any. */
export function headerId(headers: Record<string, string>): string | null {
  const v = headers["message-id"] ?? headers["Message-Id"];
  return typeof v === "string" && v !== "" ? v : null;
}
