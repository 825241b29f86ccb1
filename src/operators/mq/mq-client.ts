import type { ConsumedMessage } from "./codec.js";

/** Where `publish` sends: a subject, stream key, topic or queue name; for AMQP also an exchange and routing key. */
export type Destination = string | { exchange: string; routingKey?: string } | { queue: string };

/**
 * Where `consume` reads: a queue (AMQP), stream key (Redis) or topic (MQTT, Kafka) as a string,
 * or an object with the fields of the broker (see docs/messaging.md).
 */
export type Source =
  | string
  | { stream: string; durable: string }
  | { stream: string; group?: string; consumer?: string }
  | { queue: string }
  | { topic: string; clientId?: string; groupId?: string };

export interface PublishRequest {
  destination: Destination;
  payloads: readonly Buffer[];
  headers: Record<string, string>;
}

export interface ConsumeRequest {
  source: Source;
  max: number;
  waitMs: number;
  ack: boolean;
  /**
   * With `ack`: runs on the collected messages before they are acknowledged. If it throws, none is
   * acknowledged (they are handed back to the broker) and the error propagates.
   */
  beforeAck?: (messages: ConsumedMessage[]) => Promise<void>;
  /** A stable default consumer / group / client name for this task: `<dagId>.<taskId>`. */
  defaultName: string;
}

/** One broker session; `close` is called in a finally block. */
export interface MqClient {
  /** Publishes in order; returns the broker's ids where it gives them (else an empty array). */
  publish(request: PublishRequest): Promise<(string | number)[]>;
  /** Collects up to `max` messages, waiting at most `waitMs`; when `ack`, runs `beforeAck` and then acknowledges them. */
  consume(request: ConsumeRequest): Promise<ConsumedMessage[]>;
  close(): Promise<void>;
}

/** A non-empty string field of an object source; undefined for a string source or a missing field. */
export function sourceField(source: Source, field: string): string | undefined {
  if (typeof source === "string") return undefined;
  const v = (source as Record<string, unknown>)[field];
  return typeof v === "string" && v !== "" ? v : undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
