import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NotifierDeclaration, NotifierKind } from "../../core/model/alerts.js";
import { ManualClock } from "../../core/testing/manual-clock.js";
import { EnvThenStoreSecretsResolver } from "../../secrets/secrets-resolver.js";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../../store/contract/postgres-test-databases.js";
import type { FullStore } from "../../store/full-store.js";
import { openPostgresStore } from "../../store/postgres/open-postgres-store.js";
import { openSqliteStore } from "../../store/sqlite/open-sqlite-store.js";
import { sampleAlert, StandInServer } from "../testing/stand-in-server.js";
import { NotificationOutbox, type DeliveryOutcomeKind, type NotificationOutboxOptions } from "./notification-outbox.js";

const T0 = Date.UTC(2026, 0, 5, 2);
let server: StandInServer;
let dir: string;
let store: FullStore;
let clock: ManualClock;
const outboxes: NotificationOutbox[] = [];
let outcomes: string[];

beforeEach(async () => {
  server = await StandInServer.start();
  dir = mkdtempSync(join(tmpdir(), "baton-outbox-"));
  store = await openSqliteStore(join(dir, "baton.db"));
  clock = new ManualClock(T0);
  outcomes = [];
});
afterEach(async () => {
  for (const o of outboxes.splice(0)) await o.stop(0);
  await store.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function env(): Record<string, string> {
  return {
    BATON_CONN_SLACK: `slackwebhook://:${encodeURIComponent(`${server.origin}/services/T/B/SECRETPATH`)}@`,
    BATON_CONN_PD: `http://:R0UTINGKEY@127.0.0.1:${server.port}`,
  };
}

function outbox(options: Partial<NotificationOutboxOptions> = {}, on: FullStore = store): NotificationOutbox {
  const o = new NotificationOutbox({
    store: on.notifications,
    secrets: new EnvThenStoreSecretsResolver(env(), null),
    clock,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    onDelivery: (kind: NotifierKind, outcome: DeliveryOutcomeKind) => outcomes.push(`${kind}:${outcome}`),
    ...options,
  });
  outboxes.push(o);
  o.start();
  return o;
}

const slack: NotifierDeclaration = { notifier: "slack", connection: "slack" };
const pd: NotifierDeclaration = { notifier: "pagerduty", connection: "pd" };
const rows = () => store.notifications.listDeliveries({ limit: 100 });

describe("notification outbox", () => {
  it("enqueue returns at once; the alert is recorded, sent and marked delivered with its target", async () => {
    const o = outbox();
    o.enqueue(slack, sampleAlert());
    expect(server.received).toHaveLength(0); // nothing happened inside enqueue
    await o.idle();
    expect(server.received.map((r) => r.url)).toEqual(["/services/T/B/SECRETPATH"]);
    const [row] = await rows();
    expect(row).toMatchObject({
      notifier: "slack",
      connection: "slack",
      target: `127.0.0.1:${server.port}`,
      state: "delivered",
      attempts: 1,
      lastError: null,
      deliveredAt: T0,
      summary: 'Task etl.load failed: relation "sales" does not exist',
    });
    expect(outcomes).toEqual(["slack:delivered"]);
  });

  it("retries with doubling backoff on the clock until delivered, recording each error and next time", async () => {
    server
      .reply("POST", "/services/T/B/SECRETPATH", { status: 500, body: "down" })
      .reply("POST", "/services/T/B/SECRETPATH", { status: 503, body: "still down" });
    const o = outbox({ firstRetryMs: 30_000 });
    o.enqueue(slack, sampleAlert());
    await o.idle();
    expect((await rows())[0]).toMatchObject({
      state: "pending",
      attempts: 1,
      lastError: `Slack webhook at 127.0.0.1:${server.port}: HTTP 500: down`,
      nextAttemptAt: T0 + 30_000,
    });
    clock.advance(29_000);
    await o.idle();
    expect(server.received).toHaveLength(1);
    clock.advance(1_000);
    await o.idle();
    expect(server.received).toHaveLength(2);
    expect((await rows())[0]).toMatchObject({
      state: "pending",
      attempts: 2,
      lastError: expect.stringContaining("HTTP 503"),
      nextAttemptAt: T0 + 30_000 + 60_000,
    });
    clock.advance(59_000);
    await o.idle();
    expect(server.received).toHaveLength(2);
    clock.advance(1_000);
    await o.idle();
    expect((await rows())[0]).toMatchObject({ state: "delivered", attempts: 3, lastError: null, nextAttemptAt: null, deliveredAt: T0 + 90_000 });
    expect(outcomes).toEqual(["slack:retrying", "slack:retrying", "slack:delivered"]);
    expect(JSON.stringify(await rows())).not.toContain("SECRETPATH");
  });

  it("records the failure when attempts run out, or at once when the service refuses the message", async () => {
    server.fallback = (r) => (r.url.startsWith("/v2/") ? { status: 400, body: { status: "invalid event" } } : { status: 502, body: "bad gateway" });
    const o = outbox({ maxAttempts: 3, firstRetryMs: 1_000 });
    o.enqueue(slack, sampleAlert());
    o.enqueue(pd, sampleAlert());
    await o.idle();
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      await o.idle();
    }
    const byKind = Object.fromEntries((await rows()).map((r) => [r.notifier, r]));
    expect(byKind.slack).toMatchObject({
      state: "failed",
      attempts: 3,
      lastError: `Slack webhook at 127.0.0.1:${server.port}: HTTP 502: bad gateway`,
      nextAttemptAt: null,
      deliveredAt: null,
    });
    expect(byKind.pagerduty).toMatchObject({ state: "failed", attempts: 1, lastError: expect.stringContaining("HTTP 400") });
    expect(server.received.filter((r) => r.url.startsWith("/services"))).toHaveLength(3);
  });

  it("a missing connection is retried (it may be added), and says where it looked", async () => {
    const o = outbox();
    o.enqueue({ notifier: "slack", connection: "nowhere" }, sampleAlert());
    await o.idle();
    expect((await rows())[0]).toMatchObject({ state: "pending", attempts: 1, lastError: expect.stringContaining('connection "nowhere" not found') });
  });

  it("PagerDuty: a resolve waits for its trigger, which is retried first; both carry the same dedup_key", async () => {
    server.reply("POST", "/v2/enqueue", { status: 503, body: { status: "unavailable" } });
    const o = outbox({ firstRetryMs: 5_000 });
    o.enqueue(pd, sampleAlert());
    await o.idle();
    o.enqueue(pd, sampleAlert({ event: "recovered", state: "success", error: null, at: T0 + 1 }));
    await o.idle();
    expect(server.received).toHaveLength(1); // the resolve did not overtake the pending trigger
    clock.advance(5_000);
    await o.idle();
    clock.advance(1);
    await o.idle();
    const sent = server.received.map((r) => r.body as { event_action: string; dedup_key: string });
    expect(sent.map((b) => `${b.event_action} ${b.dedup_key}`)).toEqual(["trigger baton/etl/load", "trigger baton/etl/load", "resolve baton/etl/load"]);
    expect((await rows()).map((r) => r.state)).toEqual(["delivered", "delivered"]);
  });

  it("the same event of an incident again within the window is sent once; after a recovery it is sent again", async () => {
    const o = outbox({ repeatWindowMs: 60_000 });
    o.enqueue(slack, sampleAlert());
    o.enqueue(slack, sampleAlert());
    await o.idle();
    expect(server.received).toHaveLength(1);
    expect(outcomes).toContain("slack:repeat");
    o.enqueue(slack, sampleAlert({ event: "recovered", error: null }));
    o.enqueue(slack, sampleAlert());
    await o.idle();
    expect(server.received).toHaveLength(3);
    clock.advance(61_000);
    o.enqueue(slack, sampleAlert());
    await o.idle();
    expect(server.received).toHaveLength(4); // the window passed: sent again
  });

  it("survives a restart: pending deliveries of a stopped (or crashed) process are sent by the next one", async () => {
    server.fallback = () => ({ status: 503, body: "maintenance" });
    const first = outbox({ firstRetryMs: 60_000, claimLeaseMs: 30_000 });
    first.enqueue(slack, sampleAlert());
    first.enqueue(pd, sampleAlert());
    await first.idle();
    await first.stop(0);
    expect((await rows()).map((r) => r.state)).toEqual(["pending", "pending"]);
    await store.close();

    // A new process on the same database file; the service is back.
    store = await openSqliteStore(join(dir, "baton.db"));
    server.fallback = () => ({ status: 202, body: { status: "success" } });
    clock.advance(60_000);
    const second = outbox({}, store);
    await second.idle();
    expect((await rows()).map((r) => `${r.notifier} ${r.state} ${r.attempts}`).sort()).toEqual(["pagerduty delivered 2", "slack delivered 2"]);
  });

  it("stopping records what was just enqueued (an alert raised while the scheduler stopped) before it ends", async () => {
    const o = outbox();
    o.enqueue(slack, sampleAlert({ event: "retry" }));
    o.enqueue(pd, sampleAlert());
    await o.stop(5_000);
    expect((await rows()).map((r) => r.notifier).sort()).toEqual(["pagerduty", "slack"]);
    o.enqueue(slack, sampleAlert({ event: "skipped" })); // after stop: refused, not recorded
    expect(await rows()).toHaveLength(2);
  });

  it("a delivery claimed by a process that died mid-send is taken over once its claim runs out", async () => {
    const orphan = await store.notifications.addDelivery({ declaration: slack, alert: sampleAlert(), summary: "s", createdAt: T0 }, 0);
    await store.notifications.claimDeliveries("dead-process", T0, 30_000, 10);
    const o = outbox({ claimLeaseMs: 30_000, pollMs: 10_000 });
    await o.idle();
    expect(server.received).toHaveLength(0);
    clock.advance(30_001);
    await o.idle();
    clock.advance(10_000);
    await o.idle();
    expect(server.received).toHaveLength(1);
    expect((await rows())[0]).toMatchObject({ id: orphan!.id, state: "delivered" });
  });
});

const pgUnreachable = await probePostgres(TEST_PG_URL);
if (pgUnreachable !== undefined) console.warn(`Skipping the outbox's PostgreSQL test: ${pgUnreachable}`);

describe.skipIf(pgUnreachable !== undefined)("notification outbox: several schedulers on PostgreSQL", () => {
  let dbs: PostgresTestDatabases;
  afterAll(async () => {
    await dbs?.dispose();
  });

  it("three outboxes on one database send each of 60 alerts exactly once", async () => {
    dbs = await PostgresTestDatabases.create(TEST_PG_URL);
    const url = await dbs.clone();
    const stores = await Promise.all([openPostgresStore(url), openPostgresStore(url), openPostgresStore(url)]);
    try {
      const [a, b, c] = stores.map((s) => outbox({ concurrency: 3 }, s));
      for (let i = 0; i < 60; i++) [a, b, c][i % 3]!.enqueue(slack, sampleAlert({ dedupKey: `baton/etl/t${i}` }));
      for (let round = 0; round < 10; round++) {
        await Promise.all([a!.idle(), b!.idle(), c!.idle()]);
        clock.advance(10_000);
      }
      await Promise.all([a!.idle(), b!.idle(), c!.idle()]);
      const keys = server.received.map((r) => (r.body as { text: string }).text);
      expect(keys).toHaveLength(60);
      const list = await stores[0]!.notifications.listDeliveries({ limit: 100 });
      expect(list.filter((d) => d.state === "delivered" && d.attempts === 1)).toHaveLength(60);
    } finally {
      for (const o of outboxes.splice(0)) await o.stop(0);
      for (const s of stores) await s.close();
    }
  });
});
