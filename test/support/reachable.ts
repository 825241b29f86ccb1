import { createConnection } from "node:net";

/**
 * Null when something accepts TCP connections on 127.0.0.1:`port`, else why not — the reason a
 * test that needs that service prints when it skips.
 */
export function reachable(port: number, host = "127.0.0.1"): Promise<string | null> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port, timeout: 1000 });
    s.once("connect", () => (s.destroy(), resolve(null)));
    s.once("timeout", () => (s.destroy(), resolve(`nothing answers on ${host}:${port} (timeout)`)));
    s.once("error", (e) => resolve(`nothing answers on ${host}:${port} (${e.message})`));
  });
}

/**
 * Skips the running test, printing why, when nothing answers on `port`; true when it skipped.
 * `what` names the test's service in the message: "skipping <what>: nothing answers on …".
 */
export async function skipUnlessReachable(t: { skip(): void }, port: number, what: string): Promise<boolean> {
  const down = await reachable(port);
  if (down === null) return false;
  console.warn(`skipping ${what}: ${down}`);
  t.skip();
  return true;
}
