import { randomBytes } from "node:crypto";
import { InvalidInputError } from "../../core/errors.js";
import type { EpochMs } from "../../core/model/records.js";
import { QUEUE_NAME, type WorkerTokenRecord } from "../../core/model/workers.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";
import { randomSecret, safeEqual, sha256Hex } from "./secrets.js";

/** `batonw_<id: 12 hex>_<secret: 32 bytes base64url>`; the secret may itself contain "_". */
const TOKEN_PATTERN = /^batonw_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** `lastSeenAt` is written at most this often per token. */
const TOUCH_INTERVAL_MS = 60_000;

export interface ParsedWorkerToken {
  id: string;
  secret: string;
}

/** Splits a worker token into its public id and its secret; null when it is not a worker token. */
export function parseWorkerToken(text: string): ParsedWorkerToken | null {
  const m = TOKEN_PATTERN.exec(text);
  return m?.[1] && m[2] ? { id: m[1], secret: m[2] } : null;
}

/**
 * Creates a worker token (docs/adr/0008-remote-workers.md), stores only the sha256 of its secret
 * and returns the token text, which cannot be recovered later. `queues` null: any queue.
 *
 * @throws InvalidInputError when `name` is not 1–100 characters or a queue name is invalid.
 * @example
 * const { token } = await createWorkerToken(store.workers, { name: "gpu-box", queues: ["gpu"], createdBy: "admin" }, Date.now());
 * // token: "batonw_3f9c0a1b2c3d_…"; run `baton worker --server URL --token <token>`
 */
export async function createWorkerToken(
  store: WorkerStore,
  spec: { name: string; queues: string[] | null; createdBy: string | null },
  now: EpochMs,
): Promise<{ record: WorkerTokenRecord; token: string }> {
  const { name, queues, createdBy } = spec;
  if (name.trim() === "" || name.length > 100) throw new InvalidInputError("name: must be 1 to 100 characters");
  if (queues !== null) {
    if (queues.length === 0) throw new InvalidInputError("queues: name at least one queue, or leave it out for any queue");
    const bad = queues.find((q) => !QUEUE_NAME.test(q));
    if (bad !== undefined) {
      throw new InvalidInputError(`queues: "${bad}" is not a queue name (1 to 64 letters, digits, "_", "-" or ".")`);
    }
  }
  const id = randomBytes(6).toString("hex");
  const secret = randomSecret(32);
  const record: WorkerTokenRecord = {
    id,
    name,
    secretHash: sha256Hex(secret),
    queues: queues === null ? null : [...new Set(queues)],
    createdBy,
    createdAt: now,
    lastSeenAt: null,
    revokedAt: null,
  };
  await store.createWorkerToken(record);
  return { record, token: `batonw_${id}_${secret}` };
}

/**
 * The token's record when `text` is a valid, unrevoked worker token; null otherwise (malformed,
 * unknown, wrong secret, revoked). Records its use (`lastSeenAt`) at most once a minute.
 */
export async function verifyWorkerToken(store: WorkerStore, text: string, now: EpochMs): Promise<WorkerTokenRecord | null> {
  const parsed = parseWorkerToken(text);
  if (!parsed) return null;
  const record = await store.getWorkerToken(parsed.id);
  if (!record || !safeEqual(sha256Hex(parsed.secret), record.secretHash) || record.revokedAt !== null) return null;
  if (record.lastSeenAt === null || now - record.lastSeenAt >= TOUCH_INTERVAL_MS) {
    await store.touchWorkerToken(record.id, now);
    return { ...record, lastSeenAt: now };
  }
  return record;
}
