import { createHash } from "node:crypto";

/** The characters a run id may hold (as `baton dags trigger --run-id` accepts). */
const SAFE = /^[A-Za-z0-9_.~:+-]{1,120}$/;

/**
 * The run id of an event: `event__<triggerId>__<key>`. A key with other characters, or a long
 * one, is replaced by its SHA-256 (hex, 32 characters) so the id stays valid and deterministic.
 */
export function eventRunId(triggerId: string, key: string): string {
  return `event__${triggerId}__${safeKey(key)}`;
}

export function safeKey(key: string): string {
  return SAFE.test(key) ? key : `h${sha256(key).slice(0, 32)}`;
}

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
