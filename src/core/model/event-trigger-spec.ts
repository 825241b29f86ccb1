/**
 * Event triggers of a DAG (docs/event-triggers.md): each file arriving in a folder or bucket
 * prefix, or each message (or batch of messages) from a broker, starts a run of type "event".
 * Part of the serialized {@link DagSpec}; plain JSON.
 */
export type EventTriggerSpec = FileTriggerSpec | MessageTriggerSpec;

/** A run per complete file (size and mtime unchanged across two scans) matching `pattern`. */
export interface FileTriggerSpec {
  kind: "files";
  /** Unique within the DAG; part of the run ids ("event__<id>__…"). */
  id: string;
  /** An absolute folder path, or a bucket URL ("s3://bucket/prefix/") read by a registered lister. */
  location: string;
  /** Glob matched against the path relative to `location`: `*`, `?`, `**`, `{a,b}`. */
  pattern: string;
  /** Connection id or URI for a bucket (credentials, endpoint); null for a local folder. */
  conn: string | null;
  /** Time between two scans, ms. */
  pollMs: number;
}

export const BROKER_KINDS = ["nats", "amqp", "redis", "mqtt", "kafka"] as const;
export type BrokerKind = (typeof BROKER_KINDS)[number];

/** Where a message trigger reads; the fields of its broker. */
export type MessageSourceSpec =
  /** JetStream durable pull consumer `durable` on `stream`, optionally filtered to `subject`. */
  | { broker: "nats"; stream: string; durable: string; subject: string | null }
  /** A RabbitMQ queue (it must exist). */
  | { broker: "amqp"; queue: string }
  /** A Redis stream key, read in consumer group `group` as consumer `consumer`. */
  | { broker: "redis"; stream: string; group: string; consumer: string }
  /** An MQTT topic filter, subscribed with QoS 1 in the persistent session `clientId`. */
  | { broker: "mqtt"; topic: string; clientId: string }
  /** A Kafka topic, read in consumer group `groupId`. */
  | { broker: "kafka"; topic: string; groupId: string };

/** A run per message, or per batch of up to `batch.size` messages gathered within `batch.withinMs`. */
export interface MessageTriggerSpec {
  kind: "messages";
  id: string;
  /** Connection id or URI; its type must match the broker. */
  conn: string;
  source: MessageSourceSpec;
  /** Where a new consumer / group starts (NATS, Redis, Kafka): the oldest retained message or only new ones. */
  startAt: "earliest" | "latest";
  batch: { size: number; withinMs: number } | null;
}

/** Trigger ids: part of run ids. */
export const TRIGGER_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
