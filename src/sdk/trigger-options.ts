import { InvalidInputError } from "../core/errors.js";
import {
  BROKER_KINDS,
  TRIGGER_ID_PATTERN,
  type BrokerKind,
  type EventTriggerSpec,
  type FileTriggerSpec,
  type MessageSourceSpec,
  type MessageTriggerSpec,
} from "../core/model/event-trigger-spec.js";
import { parseDuration } from "../core/model/duration.js";
import { checkInteger, checkKnownKeys, checkOneOf, checkString, show } from "./option-checks.js";
import type { Duration } from "./task-options.js";

/** `ctx.conf.file` in a run started by {@link onFile}. */
export interface FileEvent {
  /** Absolute path (or the object's URL for a bucket). */
  path: string;
  /** Path relative to the watched folder, "/"-separated. */
  name: string;
  size: number;
  /** Last modification, epoch ms. */
  mtime: number;
}

/** `ctx.conf.message`, or each of `ctx.conf.messages`, in a run started by {@link onMessage}. */
export interface MessageEvent {
  /** The payload, JSON-decoded when it is JSON, else its text (base64 when not UTF-8), as `consume` returns it. */
  data: unknown;
  headers: Record<string, string>;
  /** The broker's id: NATS stream sequence, Redis entry id, Kafka offset, AMQP/MQTT message id; null when none. */
  id: string | number | null;
  /** NATS subject, AMQP routing key, Redis stream key, MQTT topic or Kafka topic. */
  subject: string;
  /** What the run id derives from (see docs/event-triggers.md). */
  key: string;
}

/** Options of {@link onFile}: a local `folder` or a `bucket` URL, and a `pattern`. */
export interface OnFileOptions {
  /** Unique within the DAG (letters, digits, `_ . -`); part of run ids. Default "files". */
  id?: string;
  /** Absolute path of the watched folder. Give `folder` or `bucket`. */
  folder?: string;
  /** A bucket prefix instead of a folder: "s3://bucket/prefix/", "gs://bucket/prefix/" or "az://container/prefix/". */
  bucket?: string;
  /** Connection id or URI for the bucket. */
  conn?: string;
  /** Glob on the path relative to the folder: `*` and `?` within a name, `**` across folders, `{csv,tsv}`. Default "*". */
  pattern?: string;
  /** Time between scans. A file triggers once its size and mtime are unchanged across two scans. Default "2s". */
  every?: Duration;
}

interface MessageCommon {
  /** Unique within the DAG (letters, digits, `_ . -`); part of run ids. Default the broker name. */
  id?: string;
  /** Connection id or URI; its type must match `broker`. */
  conn: string;
  /** One run per batch of up to `size` messages gathered within `within` of the first. Default: a run per message. */
  batch?: { size: number; within: Duration };
  /** Where a NEW consumer / group starts (NATS, Redis, Kafka): "earliest" retained message (default) or "latest" (only new ones). */
  startAt?: "earliest" | "latest";
}

/** Options of {@link onMessage}, by broker. */
export type OnMessageOptions =
  | (MessageCommon & { broker: "nats"; stream: string; durable?: string; subject?: string })
  | (MessageCommon & { broker: "amqp"; queue: string })
  | (MessageCommon & { broker: "redis"; stream: string; group?: string; consumer?: string })
  | (MessageCommon & { broker: "mqtt"; topic: string; clientId?: string })
  | (MessageCommon & { broker: "kafka"; topic: string; groupId?: string });

/** A trigger as `dag({ triggers: [...] })` takes it: the result of {@link onFile} or {@link onMessage}. */
export type EventTrigger = ({ kind: "files" } & OnFileOptions) | ({ kind: "messages" } & OnMessageOptions);

const FILE_KEYS = ["kind", "id", "folder", "bucket", "conn", "pattern", "every"] as const;
const COMMON_KEYS = ["kind", "id", "conn", "broker", "batch", "startAt"];
const SOURCE_KEYS: Record<BrokerKind, string[]> = {
  nats: ["stream", "durable", "subject"],
  amqp: ["queue"],
  redis: ["stream", "group", "consumer"],
  mqtt: ["topic", "clientId"],
  kafka: ["topic", "groupId"],
};

/**
 * A run per file arriving in a folder (or bucket prefix): once a file's size and mtime are
 * unchanged across two scans, a run of type "event" starts with conf
 * `{ file: { path, name, size, mtime } }`. Each version of a file (path, size, mtime) runs once,
 * also across restarts.
 *
 * @example
 * export default dag({ id: "ingest", triggers: [onFile({ folder: "/data/incoming", pattern: "*.csv" })] }, (d) => {
 *   d.task("load", (ctx) => (ctx.conf.file as { path: string }).path);
 * });
 */
export function onFile(options: OnFileOptions): EventTrigger {
  const trigger = { kind: "files" as const, ...options };
  resolveFileTrigger(trigger, "onFile()");
  return trigger;
}

/**
 * A run per message (or per batch) from NATS JetStream, RabbitMQ, Redis Streams, MQTT or Kafka.
 * The message is acknowledged only once its run is stored; the run id derives from the broker's
 * message id, so a message delivered again after a restart does not start a second run. Conf is
 * `{ message: { data, headers, id, subject, key } }`, or `{ messages: [...] }` with `batch`.
 *
 * @example
 * export default dag({ id: "orders", triggers: [onMessage({ broker: "nats", conn: "events", stream: "ORDERS" })] }, (d) => {
 *   d.task("handle", (ctx) => ctx.conf.message);
 * });
 */
export function onMessage(options: OnMessageOptions): EventTrigger {
  const trigger = { kind: "messages" as const, ...options } as EventTrigger;
  resolveMessageTrigger(trigger as { kind: "messages" } & OnMessageOptions, "onMessage()", "dag");
  return trigger;
}

/**
 * Checks and serializes a DAG's `triggers`; default ids are unique per DAG or the error says
 * to give one. Throws InvalidInputError naming the trigger and key.
 */
export function resolveTriggers(value: unknown, dagId: string): EventTriggerSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidInputError(`triggers must be a list of onFile({...}) / onMessage({...}), got ${show(value)}`);
  const specs = value.map((t: unknown, i): EventTriggerSpec => {
    const where = `triggers[${i}]`;
    if (typeof t !== "object" || t === null) throw new InvalidInputError(`${where} must be onFile({...}) or onMessage({...}), got ${show(t)}`);
    const kind = checkOneOf((t as { kind?: unknown }).kind, `${where}.kind`, ["files", "messages"] as const);
    return kind === "files" ? resolveFileTrigger(t as OnFileOptions, where) : resolveMessageTrigger(t as OnMessageOptions, where, dagId);
  });
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.id)) throw new InvalidInputError(`triggers: two triggers have the id "${s.id}"; give each an id, e.g. onMessage({ id: "orders", … })`);
    seen.add(s.id);
  }
  return specs;
}

/**
 * An event run's conf (`file`, `message` or `messages`) is validated like any conf against the
 * params schema: a schema refusing unknown keys (z.strictObject) must declare them.
 */
export function checkParamsTakeEvents(paramsSchema: Record<string, unknown>, triggers: readonly EventTriggerSpec[]): void {
  if (paramsSchema.additionalProperties !== false) return;
  const declared = Object.keys((paramsSchema.properties as Record<string, unknown> | undefined) ?? {});
  const keys = new Set(triggers.map((t) => (t.kind === "files" ? "file" : t.batch === null ? "message" : "messages")));
  const missing = [...keys].filter((k) => !declared.includes(k));
  if (missing.length > 0) {
    throw new InvalidInputError(
      `params refuse unknown keys, but event runs carry ${missing.map((k) => `"${k}"`).join(" and ")} in their conf; ` +
        `use z.object (not z.strictObject) or declare ${missing.map((k) => `${k}: z.any().optional()`).join(", ")}`,
    );
  }
}

function resolveFileTrigger(o: OnFileOptions, where: string): FileTriggerSpec {
  if (typeof o !== "object" || o === null) throw new InvalidInputError(`${where} needs options, e.g. onFile({ folder: "/data/in", pattern: "*.csv" })`);
  checkKnownKeys(o, FILE_KEYS, `${where} option`);
  const id = triggerId(o.id ?? "files", where);
  if ((o.folder === undefined) === (o.bucket === undefined))
    throw new InvalidInputError(`${where}: give exactly one of folder (an absolute path) or bucket (e.g. "s3://raw/incoming/")`);
  let location: string;
  if (o.folder !== undefined) {
    location = checkString(o.folder, `${where}.folder`);
    if (!location.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(location)) {
      throw new InvalidInputError(`${where}.folder must be an absolute path (the server resolves no other), got ${show(location)}`);
    }
    if (o.conn !== undefined) throw new InvalidInputError(`${where}.conn applies to a bucket, not to a local folder`);
  } else {
    location = checkString(o.bucket, `${where}.bucket`);
    if (!/^(s3|gs|az):\/\/[^/]+/.test(location))
      throw new InvalidInputError(`${where}.bucket must be an s3://, gs:// or az:// URL such as "s3://bucket/prefix/", got ${show(location)}`);
  }
  const pattern = checkString(o.pattern ?? "*", `${where}.pattern`);
  if (pattern.startsWith("/")) throw new InvalidInputError(`${where}.pattern is relative to the folder; drop the leading "/" in ${show(pattern)}`);
  const pollMs = parseDuration(o.every ?? "2s", `${where}.every`);
  if (pollMs < 100) throw new InvalidInputError(`${where}.every must be at least 100ms, got ${show(o.every)}`);
  const conn = o.conn === undefined ? null : checkString(o.conn, `${where}.conn`);
  return { kind: "files", id, location, pattern, conn, pollMs };
}

function resolveMessageTrigger(o: OnMessageOptions, where: string, dagId: string): MessageTriggerSpec {
  if (typeof o !== "object" || o === null)
    throw new InvalidInputError(`${where} needs options, e.g. onMessage({ broker: "nats", conn: "events", stream: "ORDERS" })`);
  const broker = checkOneOf(o.broker, `${where}.broker`, BROKER_KINDS);
  checkKnownKeys(o, [...COMMON_KEYS, ...SOURCE_KEYS[broker]], `${where} option for broker ${broker}`);
  const id = triggerId(o.id ?? broker, where);
  const conn = checkString(o.conn, `${where}.conn`);
  const fields = o as unknown as Record<string, unknown>;
  const need = (key: string) => checkString(fields[key], `${where}.${key}`);
  const opt = (key: string, fallback: string) => (fields[key] === undefined ? fallback : checkString(fields[key], `${where}.${key}`));
  const name = `baton.${dagId}.${id}`;
  let source: MessageSourceSpec;
  switch (broker) {
    case "nats":
      // JetStream consumer names may not contain "." (nor spaces, "*", ">").
      source = {
        broker,
        stream: need("stream"),
        durable: opt("durable", name.replaceAll(".", "_")),
        subject: fields.subject === undefined ? null : need("subject"),
      };
      break;
    case "amqp":
      source = { broker, queue: need("queue") };
      break;
    case "redis":
      source = { broker, stream: need("stream"), group: opt("group", name), consumer: opt("consumer", "baton") };
      break;
    case "mqtt":
      source = { broker, topic: need("topic"), clientId: opt("clientId", name) };
      break;
    case "kafka":
      source = { broker, topic: need("topic"), groupId: opt("groupId", name) };
      break;
  }
  const startAt = checkOneOf(o.startAt ?? "earliest", `${where}.startAt`, ["earliest", "latest"] as const);
  return { kind: "messages", id, conn, source, startAt, batch: resolveBatch(o.batch, where, broker) };
}

function resolveBatch(batch: unknown, where: string, broker: BrokerKind): MessageTriggerSpec["batch"] {
  if (batch === undefined || batch === null) return null;
  if (typeof batch !== "object" || Array.isArray(batch)) throw new InvalidInputError(`${where}.batch must be { size, within }, got ${show(batch)}`);
  if (broker === "mqtt") {
    throw new InvalidInputError(
      `${where}.batch is not available for mqtt: an MQTT client receives the next message only after acknowledging the previous one; use a run per message`,
    );
  }
  checkKnownKeys(batch, ["size", "within"], `${where}.batch key`);
  const b = batch as { size?: unknown; within?: unknown };
  const size = checkInteger(b.size, `${where}.batch.size`, 1);
  if (size > 10_000) throw new InvalidInputError(`${where}.batch.size must be at most 10000, got ${size}`);
  if (typeof b.within !== "number" && typeof b.within !== "string")
    throw new InvalidInputError(`${where}.batch.within must be a duration like "10s", got ${show(b.within)}`);
  const withinMs = parseDuration(b.within, `${where}.batch.within`);
  if (withinMs < 1) throw new InvalidInputError(`${where}.batch.within must be longer than 0`);
  return { size, withinMs };
}

function triggerId(value: unknown, where: string): string {
  if (typeof value !== "string" || !TRIGGER_ID_PATTERN.test(value)) {
    throw new InvalidInputError(`${where}.id ${show(value)} is invalid; use 1-64 letters, digits and _ . -`);
  }
  return value;
}
