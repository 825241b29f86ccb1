import { InvalidInputError } from "../../core/errors.js";
import type { Render } from "../shared/render.js";

/** A message to publish: a string (sent as UTF-8), bytes (sent as is) or any other JSON value (JSON-encoded). */
export type OutgoingMessage = string | Uint8Array | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };

/** A message as `consume` returns it. */
export interface ConsumedMessage {
  /** The payload JSON-decoded when it is valid JSON, else its UTF-8 text (base64 when the bytes are not UTF-8). */
  data: unknown;
  headers: Record<string, string>;
  /** The broker's id: NATS stream sequence, Redis entry id, AMQP message-id property, Kafka offset; null when none. */
  id: string | number | null;
  /** Where it came from: NATS subject, AMQP routing key, Redis stream key, MQTT topic, Kafka topic. */
  subject: string;
}

/** Encodes one message: strings as UTF-8, bytes unchanged, anything else as JSON. */
export function encodeMessage(message: unknown): Buffer {
  if (typeof message === "string") return Buffer.from(message, "utf8");
  if (message instanceof Uint8Array) return Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  if (message === undefined || typeof message === "function" || typeof message === "symbol" || typeof message === "bigint") {
    throw new InvalidInputError(`a message must be a string, a Buffer or a JSON value, got ${typeof message}`);
  }
  return Buffer.from(JSON.stringify(message), "utf8");
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes one payload: JSON when it parses, else the text; bytes that are not UTF-8 become base64 text. */
export function decodePayload(payload: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("base64");
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The messages of a `publish` task, in order: `messages` or `message` (exactly one). String values,
 * also inside JSON values, are rendered as templates; bytes are not.
 */
export function collectMessages(where: string, messages: unknown, message: unknown): unknown[] {
  if ((messages === undefined) === (message === undefined)) throw new InvalidInputError(`${where}: give exactly one of messages or message`);
  const list = messages === undefined ? [message] : messages;
  if (!Array.isArray(list)) throw new InvalidInputError(`${where}: messages must be an array`);
  list.forEach((m, i) => {
    try {
      encodeMessage(m);
    } catch (e) {
      throw new InvalidInputError(`${where}: messages[${i}]: ${(e as Error).message}`, { cause: e });
    }
  });
  return list;
}

/** Renders the strings of a message (and inside a JSON message); bytes pass through. */
export function renderMessage(message: unknown, render: Render): unknown {
  if (typeof message === "string") return render(message);
  if (message instanceof Uint8Array || message === null || typeof message !== "object") return message;
  if (Array.isArray(message)) return message.map((m) => renderMessage(m, render));
  return Object.fromEntries(Object.entries(message).map(([k, v]) => [k, renderMessage(v, render)]));
}

/** Checks `headers` is a map of strings. */
export function checkHeaders(where: string, headers: unknown): void {
  if (headers === undefined) return;
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) throw new InvalidInputError(`${where}: headers must be an object of strings`);
  for (const [k, v] of Object.entries(headers)) {
    if (typeof v !== "string") throw new InvalidInputError(`${where}: header "${k}" must be a string`);
  }
}
