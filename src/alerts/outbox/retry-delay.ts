/**
 * The wait before the next attempt after `attempts` failed ones: `first`, doubling each time,
 * at most `max` (30 s, 1 min, 2 min … 1 h by default).
 *
 * @example retryDelayMs(3, 30_000, 3_600_000) // 120000
 */
export function retryDelayMs(attempts: number, first: number, max: number): number {
  return Math.min(max, first * 2 ** Math.max(0, attempts - 1));
}
