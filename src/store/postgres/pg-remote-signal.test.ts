import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HUB_TARGET, type RemoteSignal } from "../../core/ports/remote-signal.js";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../contract/postgres-test-databases.js";
import { openRemoteSignal } from "../open-remote-signal.js";
import { PgRemoteSignal, REMOTE_SIGNAL_APPLICATION } from "./pg-remote-signal.js";
import { redactUrl } from "./pg-pool.js";

const unreachable = await probePostgres(TEST_PG_URL);
if (unreachable !== undefined) {
  console.warn(`Skipping the PostgreSQL remote-signal tests: cannot use ${redactUrl(TEST_PG_URL)} (${unreachable}). Start a server or set BATON_TEST_PG_URL.`);
}

/** Resolves when `check` holds, polling every 5 ms; fails after `ms`. */
async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a signal");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("openRemoteSignal without PostgreSQL", () => {
  it("is an in-process signal for a SQLite path", async () => {
    const signal = await openRemoteSignal("sqlite:.baton/baton.db");
    let heard = 0;
    signal.subscribe(HUB_TARGET, () => heard++);
    signal.notify(HUB_TARGET);
    expect(heard).toBe(1);
    expect(signal.crossProcess).toBe(false);
    await signal.close();
  });
});

describe.skipIf(unreachable !== undefined)("PgRemoteSignal (PostgreSQL LISTEN/NOTIFY)", () => {
  let dbs: PostgresTestDatabases;
  let url: string;
  const open: RemoteSignal[] = [];

  beforeAll(async () => {
    dbs = await PostgresTestDatabases.create(TEST_PG_URL);
    url = await dbs.empty();
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  afterAll(async () => {
    await dbs?.dispose();
  });

  async function signal(): Promise<RemoteSignal> {
    const s = await openRemoteSignal(url.replace(/^postgres:/, "postgresql:"));
    open.push(s);
    return s;
  }

  it("a notify on one connection reaches the other's subscribers of that target only, and its own at once", async () => {
    const [a, b] = [await signal(), await signal()];
    expect(a).toBeInstanceOf(PgRemoteSignal);
    expect(a.crossProcess).toBe(true);
    const heard: string[] = [];
    b.subscribe("scheduler-1", () => heard.push("b:scheduler-1"));
    b.subscribe(HUB_TARGET, () => heard.push("b:hub"));
    a.subscribe("scheduler-1", () => heard.push("a:scheduler-1"));

    a.notify("scheduler-1");
    expect(heard).toEqual(["a:scheduler-1"]); // in-process subscribers: at once
    await until(() => heard.includes("b:scheduler-1"));
    b.notify(HUB_TARGET);
    await until(() => heard.includes("b:hub"));
    // A round trip through the server after both: nothing else arrived (no echo, no other target).
    const marker = await signal();
    let done = false;
    b.subscribe("marker", () => (done = true));
    marker.notify("marker");
    await until(() => done);
    expect(heard.sort()).toEqual(["a:scheduler-1", "b:hub", "b:scheduler-1"]);
  });

  it("unsubscribing stops the calls; close() ends the connection", async () => {
    const [a, b] = [await signal(), await signal()];
    let heard = 0;
    const off = b.subscribe(HUB_TARGET, () => heard++);
    a.notify(HUB_TARGET);
    await until(() => heard === 1);
    off();
    let marker = false;
    b.subscribe("marker", () => (marker = true));
    a.notify(HUB_TARGET);
    a.notify("marker");
    await until(() => marker);
    expect(heard).toBe(1);
  });

  it("reconnects and LISTENs again when its connection is killed, then wakes every subscriber once", async () => {
    const [a, b] = [await signal(), await signal()];
    let wakes = 0;
    a.subscribe(HUB_TARGET, () => wakes++);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const listeners = await admin.query<{ pid: number }>("select pid from pg_stat_activity where datname = current_database() and application_name = $1", [
        REMOTE_SIGNAL_APPLICATION,
      ]);
      expect(listeners.rows).toHaveLength(2);
      for (const { pid } of listeners.rows) await admin.query("select pg_terminate_backend($1)", [pid]); // both reconnect
    } finally {
      await admin.end();
    }
    await until(() => wakes >= 1, 10_000); // the wake-up after reconnecting
    const before = wakes;
    await until(() => {
      b.notify(HUB_TARGET);
      return wakes > before;
    }, 10_000);
  });
});
