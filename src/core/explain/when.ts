import type { EpochMs } from "../model/records.js";

/** ISO 8601 UTC text of an instant, null kept. */
export function isoTime(ms: EpochMs | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/**
 * An instant for a sentence: its ISO time and how far it is from `now`.
 *
 * @example when(Date.UTC(2026, 0, 1, 0, 5), Date.UTC(2026, 0, 1)) // "2026-01-01T00:05:00.000Z (in 5 min)"
 */
export function when(ms: EpochMs, now: EpochMs): string {
  const d = ms - now;
  const span = humanSpan(Math.abs(d));
  return `${isoTime(ms)} (${span === "now" ? "now" : d > 0 ? `in ${span}` : `${span} ago`})`;
}

/** A duration in the largest unit that fits: "40 s", "5 min", "3 h 20 min", "2 d 4 h". */
export function humanSpan(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 1) return "now";
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const days = Math.floor(h / 24);
  return h % 24 === 0 ? `${days} d` : `${days} d ${h % 24} h`;
}

/** "a, b and c"; long lists end with "and N more". */
export function listOf(items: readonly string[], max = 5): string {
  if (items.length === 0) return "";
  const shown = items.slice(0, max);
  const rest = items.length - shown.length;
  if (rest > 0) return `${shown.join(", ")} and ${rest} more`;
  return shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}
