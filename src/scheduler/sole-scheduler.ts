import { hostname } from "node:os";
import { BatonError } from "../core/errors.js";
import type { Store } from "../core/ports/store.js";

/** `host:pid`, the id a scheduler heartbeats under. */
export function defaultSchedulerId(): string {
  return `${hostname()}:${process.pid}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One scheduler per database (docs/adr/0002). Refuses to start while another scheduler's
 * heartbeat is fresh; a heartbeat from a process on this host that no longer exists is stale at
 * once, so a restart after a crash is not delayed.
 */
export async function ensureSoleScheduler(store: Store, selfId: string, now: number, freshMs: number): Promise<void> {
  const here = hostname();
  for (const hb of await store.listHeartbeats("scheduler")) {
    if (hb.id === selfId || now - hb.at > freshMs) continue;
    const [host, pidText] = [hb.id.slice(0, hb.id.lastIndexOf(":")), hb.id.slice(hb.id.lastIndexOf(":") + 1)];
    if (host === here && /^\d+$/.test(pidText) && !alive(Number(pidText))) continue;
    if (!store.capabilities.networked) {
      throw new BatonError(
        `another scheduler (${hb.id}) is running on this SQLite database; SQLite runs one scheduler per file — ` +
          `use PostgreSQL (BATON_DATABASE_URL=postgres://…) to run several`,
      );
    }
    throw new BatonError(
      `another scheduler (${hb.id}) is running on this database (last heartbeat ${Math.round((now - hb.at) / 1000)}s ago); ` +
        `Baton runs one scheduler per database — stop the other one, or wait ${Math.ceil((freshMs - (now - hb.at)) / 1000)}s if it has died on another machine`,
    );
  }
}
