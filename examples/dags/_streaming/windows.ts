// Event-time windowing for the streaming_ingest example: parse a checkout event, place it in its
// one-minute tumbling window, and sort a batch into accepted, duplicate, late and invalid events.
// Pure functions, no I/O. Folders starting with "_" are not scanned for DAGs.
import { createHash } from "node:crypto";

/** One checkout, as the shops publish it (JSON). */
export interface CheckoutEvent {
  eventId: string;
  eventTime: string; // ISO 8601 with a zone
  store: string;
  amountCents: number;
}

export const WINDOW_MS = 60_000;

/** The start of the tumbling window holding `ms` (windows are [start, start + 1 minute)). */
export function windowStart(ms: number): number {
  return Math.floor(ms / WINDOW_MS) * WINDOW_MS;
}

/** The event in a payload, or why it is not one. */
export function parseEvent(payload: string): CheckoutEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return "payload is not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "payload is not a JSON object";
  const e = value as Record<string, unknown>;
  if (typeof e["eventId"] !== "string" || !/^[\w.:-]{1,64}$/.test(e["eventId"])) return "eventId is missing or not 1-64 letters, digits, '_', '.', ':' or '-'";
  if (typeof e["eventTime"] !== "string" || !/(Z|[+-]\d\d:?\d\d)$/.test(e["eventTime"]) || Number.isNaN(Date.parse(e["eventTime"]))) {
    return "eventTime is missing or not an ISO date-time with a zone";
  }
  if (typeof e["store"] !== "string" || !/^[a-z0-9_-]{1,40}$/.test(e["store"])) return "store is missing or not 1-40 lower-case letters, digits, '_' or '-'";
  if (typeof e["amountCents"] !== "number" || !Number.isSafeInteger(e["amountCents"]) || e["amountCents"] < 0)
    return "amountCents is missing or not a whole number >= 0";
  return { eventId: e["eventId"], eventTime: new Date(Date.parse(e["eventTime"])).toISOString(), store: e["store"], amountCents: e["amountCents"] };
}

/** A payload set aside, with why: kept in a table for inspection, never aggregated. */
export interface SetAside {
  key: string; // the eventId, or the payload's SHA-256 when it is not a valid event
  payload: string;
  reason: string;
}

export interface SortedBatch {
  accepted: CheckoutEvent[];
  duplicates: number;
  late: SetAside[];
  invalid: SetAside[];
  /** The watermark after this batch: the latest event time accepted so far. */
  watermark: number | null;
}

/**
 * Sorts a batch. An event is a duplicate when its id was seen (in this batch or `known`, the ids
 * already stored); late when its window closed — it ended at or before `watermark − lateness`,
 * where `watermark` is the latest event time accepted before this batch.
 */
export function sortBatch(payloads: readonly string[], known: ReadonlySet<string>, watermark: number | null, latenessMs: number): SortedBatch {
  const out: SortedBatch = { accepted: [], duplicates: 0, late: [], invalid: [], watermark };
  const seen = new Set(known);
  const closedBefore = watermark === null ? Number.NEGATIVE_INFINITY : watermark - latenessMs;
  for (const payload of payloads) {
    const event = parseEvent(payload);
    if (typeof event === "string") {
      out.invalid.push({ key: `sha256:${createHash("sha256").update(payload).digest("hex")}`, payload, reason: event });
      continue;
    }
    if (seen.has(event.eventId)) {
      out.duplicates += 1;
      continue;
    }
    seen.add(event.eventId);
    const at = Date.parse(event.eventTime);
    const windowEnd = windowStart(at) + WINDOW_MS;
    if (windowEnd <= closedBefore) {
      const reason = `late: window [${new Date(windowStart(at)).toISOString()}, ${new Date(windowEnd).toISOString()}) closed; watermark ${new Date(watermark!).toISOString()} minus lateness ${latenessMs / 1000}s`;
      out.late.push({ key: event.eventId, payload, reason });
      continue;
    }
    out.accepted.push(event);
    out.watermark = Math.max(out.watermark ?? at, at);
  }
  return out;
}
