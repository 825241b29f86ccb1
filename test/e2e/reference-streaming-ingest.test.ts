// examples/dags/streaming_ingest.ts run by the real `baton dags test` against real NATS JetStream
// and RabbitMQ (a unique stream / queue per test) and a real PostgreSQL (a fresh database per
// test): per-minute windows by event time, duplicates counted once, late events set aside,
// nothing acknowledged before the write. Needs `npx tsc -p tsconfig.build.json`.
import amqp from "amqplib";
import { connect as natsConnect } from "nats";
import { afterEach, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { dagsTest, freshDatabase, postgresMissing, states, taskError, tempHome, unique, unreachable } from "./reference-support.js";

const DAG = "streaming_ingest";
const ALL_SUCCESS = { connections_configured: "success", create_tables: "success", ingest_batch: "success", check_metrics: "success" };

/** One broker behind the `events_bus` connection: how to set up a source, publish to it, and see what it still holds. */
interface Broker {
  name: string;
  port: number;
  uri: string;
  /** Creates a unique source; returns the run conf naming it, a publisher, what is left on the broker, and a cleanup. */
  open(): Promise<{
    conf: Record<string, unknown>;
    publish: (payloads: string[]) => Promise<void>;
    outstanding: () => Promise<number>;
    close: () => Promise<void>;
  }>;
}

const nats: Broker = {
  name: "NATS JetStream",
  port: 4222,
  uri: "nats://127.0.0.1:4222",
  async open() {
    const nc = await natsConnect({ servers: "127.0.0.1:4222" });
    const jsm = await nc.jetstreamManager();
    const stream = unique("CHECKOUTS").toUpperCase();
    const subject = `${stream.toLowerCase()}.events`;
    await jsm.streams.add({ name: stream, subjects: [subject] });
    const durable = "dashboard";
    return {
      conf: { stream, durable },
      async publish(payloads) {
        const js = nc.jetstream();
        for (const p of payloads) await js.publish(subject, new TextEncoder().encode(p));
      },
      async outstanding() {
        const info = await jsm.consumers.info(stream, durable);
        return info.num_pending + info.num_ack_pending;
      },
      async close() {
        await jsm.streams.delete(stream).catch(() => undefined);
        await nc.close();
      },
    };
  },
};

const rabbit: Broker = {
  name: "RabbitMQ",
  port: 5672,
  uri: "amqp://guest:guest@127.0.0.1:5672",
  async open() {
    const conn = await amqp.connect("amqp://guest:guest@127.0.0.1:5672");
    const ch = await conn.createConfirmChannel();
    const queue = unique("checkouts");
    await ch.assertQueue(queue, { durable: true });
    return {
      conf: { queue },
      async publish(payloads) {
        for (const p of payloads) ch.sendToQueue(queue, Buffer.from(p), { persistent: true });
        await ch.waitForConfirms();
      },
      async outstanding() {
        return (await ch.checkQueue(queue)).messageCount;
      },
      async close() {
        await ch.deleteQueue(queue).catch(() => undefined);
        await conn.close();
      },
    };
  },
};

const event = (eventId: string, time: string, store: string, amountCents: number) =>
  JSON.stringify({ eventId, eventTime: `2026-03-02T${time}Z`, store, amountCents });

const BATCH_1 = [
  event("e-1", "10:00:05", "berlin", 1000),
  event("e-2", "10:00:40", "paris", 2500),
  event("e-3", "10:01:10", "berlin", 500),
  event("e-4", "10:01:59", "berlin", 700),
  event("e-5", "10:02:30", "paris", 1200),
  event("e-1", "10:00:05", "berlin", 1000), // the same event delivered twice
  JSON.stringify({ eventId: "bad-1", store: "berlin" }),
  "oops",
];
const BATCH_2 = [
  event("e-6", "10:03:15", "berlin", 300),
  event("e-7", "10:05:00", "paris", 900),
  event("e-8", "10:01:30", "paris", 800), // late, but within 2 minutes of the watermark (10:02:30)
  event("e-9", "09:58:00", "berlin", 400), // too late: its window closed
  event("e-3", "10:01:10", "berlin", 500), // redelivered from the first batch
];

let pgDown: string | null = null;
beforeAll(async () => {
  pgDown = await postgresMissing();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(t: TestContext, broker: Broker) {
  const down = pgDown ?? (await unreachable(broker.port));
  if (down) {
    console.warn(`skipping ${DAG} on ${broker.name}: ${down}`);
    t.skip();
  }
  const home = await tempHome();
  cleanups.push(home.remove);
  const db = await freshDatabase();
  cleanups.push(db.drop);
  const source = await broker.open();
  cleanups.push(source.close);
  const run = (opts: { expectExit?: 0 | 1 } = {}) =>
    dagsTest(DAG, {
      home: home.path,
      conf: { ...source.conf, waitSeconds: 1, latenessSeconds: 120 },
      conns: { events_bus: broker.uri, warehouse_pg: db.uri },
      ...opts,
    });
  const windows = () =>
    db.query<Record<string, unknown>>(
      `SELECT to_char(window_start AT TIME ZONE 'UTC', 'HH24:MI') AS minute, store, events, revenue_cents::int AS revenue, max_amount_cents::int AS max, is_final AS final
       FROM checkout_per_minute ORDER BY window_start, store`,
    );
  return { db, source, run, windows };
}

describe.each([nats, rabbit])(`${DAG} from $name`, (broker) => {
  it("aggregates per event-time minute, counts a redelivered event once, sets aside invalid and late events, and converges", async (t) => {
    const { db, source, run, windows } = await setUp(t, broker);

    await source.publish(BATCH_1);
    const first = await run();
    expect(states(first)).toEqual(ALL_SUCCESS);
    expect(await windows()).toEqual([
      { minute: "10:00", store: "berlin", events: 1, revenue: 1000, max: 1000, final: false },
      { minute: "10:00", store: "paris", events: 1, revenue: 2500, max: 2500, final: false },
      { minute: "10:01", store: "berlin", events: 2, revenue: 1200, max: 700, final: false },
      { minute: "10:02", store: "paris", events: 1, revenue: 1200, max: 1200, final: false },
    ]);
    expect(await source.outstanding(), "the batch was acknowledged after the write").toBe(0);

    await source.publish(BATCH_2);
    const second = await run();
    expect(states(second)).toEqual(ALL_SUCCESS);
    // Watermark 10:05:00, lateness 2 min: windows ending by 10:03 are final.
    expect(await windows()).toEqual([
      { minute: "10:00", store: "berlin", events: 1, revenue: 1000, max: 1000, final: true },
      { minute: "10:00", store: "paris", events: 1, revenue: 2500, max: 2500, final: true },
      { minute: "10:01", store: "berlin", events: 2, revenue: 1200, max: 700, final: true },
      { minute: "10:01", store: "paris", events: 1, revenue: 800, max: 800, final: true },
      { minute: "10:02", store: "paris", events: 1, revenue: 1200, max: 1200, final: true },
      { minute: "10:03", store: "berlin", events: 1, revenue: 300, max: 300, final: false },
      { minute: "10:05", store: "paris", events: 1, revenue: 900, max: 900, final: false },
    ]);
    expect(await db.query("SELECT event_id FROM checkout_events ORDER BY event_id")).toEqual(
      ["e-1", "e-2", "e-3", "e-4", "e-5", "e-6", "e-7", "e-8"].map((event_id) => ({ event_id })),
    );
    const setAside = await db.query<{ kind: string; reason: string }>("SELECT kind, reason FROM checkout_events_set_aside ORDER BY kind, reason");
    expect(setAside).toEqual([
      { kind: "invalid", reason: "eventTime is missing or not an ISO date-time with a zone" },
      { kind: "invalid", reason: "payload is not JSON" },
      {
        kind: "late",
        reason: expect.stringMatching(/^late: window \[2026-03-02T09:58:00\.000Z, 2026-03-02T09:59:00\.000Z\) closed; watermark 2026-03-02T10:02:30\.000Z/),
      },
    ]);
    expect(await db.query("SELECT watermark FROM stream_watermarks")).toEqual([{ watermark: new Date("2026-03-02T10:05:00Z") }]);

    // Nothing new on the bus: a third run changes no row, not even updated_at.
    const snapshot = () =>
      Promise.all([db.query("SELECT * FROM checkout_per_minute ORDER BY window_start, store"), db.query("SELECT * FROM checkout_events ORDER BY event_id")]);
    const before = await snapshot();
    expect(states(await run())).toEqual(ALL_SUCCESS);
    expect(await snapshot()).toEqual(before);
  }, 300_000);

  it("acknowledges only after the write: a batch whose write fails stays on the broker and is ingested by the next run", async (t) => {
    const { db, source, run, windows } = await setUp(t, broker);
    await source.publish(BATCH_1.slice(0, 2));
    await run();
    const before = await windows();

    // The warehouse now refuses one event of the next batch, so the whole write rolls back.
    await db.query("ALTER TABLE checkout_events ADD CONSTRAINT no_test_store CHECK (store <> 'test')");
    await source.publish([event("e-10", "10:00:50", "berlin", 100), event("e-11", "10:00:55", "test", 1)]);
    const failed = await run({ expectExit: 1 });
    expect(states(failed)).toMatchObject({ ingest_batch: "failed", check_metrics: "upstream_failed" });
    expect(failed.tasks.find((x) => x.taskId === "ingest_batch")?.attempts).toBe(3); // retried, each time handing the batch back
    expect(taskError(failed, "ingest_batch")).toMatch(/no_test_store/);
    expect(await windows()).toEqual(before);
    expect(await source.outstanding(), "the failed batch is still on the broker").toBe(2);

    await db.query("ALTER TABLE checkout_events DROP CONSTRAINT no_test_store");
    expect(states(await run())).toEqual(ALL_SUCCESS);
    expect(await source.outstanding()).toBe(0);
    expect(await windows()).toEqual([
      { minute: "10:00", store: "berlin", events: 2, revenue: 1100, max: 1000, final: false },
      { minute: "10:00", store: "paris", events: 1, revenue: 2500, max: 2500, final: false },
      { minute: "10:00", store: "test", events: 1, revenue: 1, max: 1, final: false },
    ]);
  }, 300_000);
});

describe(`${DAG} without its connections`, () => {
  it("a manual run fails at once, naming both environment variables", async () => {
    const home = await tempHome();
    cleanups.push(home.remove);
    const r = await dagsTest(DAG, { home: home.path, expectExit: 1 });
    expect(states(r)).toMatchObject({ connections_configured: "failed", ingest_batch: "upstream_failed" });
    expect(taskError(r, "connections_configured")).toMatch(/events_bus, warehouse_pg not configured: set BATON_CONN_EVENTS_BUS, BATON_CONN_WAREHOUSE_PG/);
  }, 120_000);
});
