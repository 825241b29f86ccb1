import type { Clock } from "../core/ports/clock.js";
import type { Logger } from "../core/ports/logger.js";
import { InProcessRemoteSignal, type RemoteSignal } from "../core/ports/remote-signal.js";

/**
 * The wake-ups of the remote-attempts mailbox for the database at `urlOrPath` (as for
 * `openStore`): LISTEN/NOTIFY across processes on PostgreSQL; on SQLite, calls within this
 * process only (other processes find the work by polling; docs/adr/0008-remote-workers.md).
 *
 * @example
 * const signal = await openRemoteSignal(config.databaseUrl, { logger });
 * try {
 *   // hand it to the worker hub and the remote executor
 * } finally {
 *   await signal.close();
 * }
 */
export async function openRemoteSignal(urlOrPath: string, options: { clock?: Clock; logger?: Logger } = {}): Promise<RemoteSignal> {
  // The pg driver loads only for a PostgreSQL URL (issue 13: start fast).
  if (/^postgres(ql)?:\/\//i.test(urlOrPath)) return (await import("./postgres/pg-remote-signal.js")).PgRemoteSignal.open(urlOrPath, options);
  return new InProcessRemoteSignal();
}
