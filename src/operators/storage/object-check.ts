import type { SensorCheck } from "../sensors/sensor-check.js";
import { toEntry, type ObjectEntry } from "./object-location.js";
import { parseObjectUrl } from "./object-url.js";
import { planSelection, selectObjects } from "./select-objects.js";
import { StoreSession } from "./store-session.js";

/**
 * args: `{ url, conn?, glob?, minCount }`, rendered on the worker. Done when the object exists, or
 * when at least `minCount` objects are under the prefix (matching the glob); the value is those
 * objects. Runs on a worker (poke, reschedule) or in the scheduler's triggerer (deferred).
 */
export const objectCheck: SensorCheck<ObjectEntry[]> = async (args, env, signal) => {
  const where = "objectSensor";
  const url = parseObjectUrl(String(args.url), `${where}: url`);
  const glob = typeof args.glob === "string" ? args.glob : undefined;
  const plan = planSelection(url, glob === undefined ? {} : { glob }, where);
  const session = new StoreSession((conn) => env.connection(conn));
  try {
    const store = await session.open(url.scheme, typeof args.conn === "string" ? args.conn : undefined);
    const { objects } = await selectObjects(store, url.container, plan, signal);
    const need = plan.kind === "single" ? 1 : Number(args.minCount ?? 1);
    if (objects.length >= need) return { done: true, value: objects.map((s) => toEntry(url, s.info)) };
    return { done: false, reason: `${objects.length} of ${need} object(s) at ${String(args.url)}${glob ? ` matching ${glob}` : ""}` };
  } finally {
    await session.close();
  }
};
