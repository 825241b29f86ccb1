import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import amqp from "amqplib";
import { Redis } from "ioredis";
import mqtt from "mqtt";
import { connect as natsConnect } from "nats";
import { baton, batonJson } from "../../../test/e2e/baton-cli.js";
import { reachable, skipUnlessReachable } from "../../../test/support/reachable.js";

// Real brokers on 127.0.0.1, driven by DAG files run with the real binary (needs `npm run build`).
interface DagTestJson {
  state: string;
  tasks: { taskId: string; state: string; error?: string }[];
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "baton-mq-ops-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const unique = (prefix: string) => `${prefix}_${Date.now()}_${randomBytes(3).toString("hex")}`;

type Recorded = Record<string, { count: number; ids: unknown[]; messages: { data: unknown; headers: Record<string, string>; id: unknown }[] }>;

/** Runs a DAG whose body ends with tasks feeding `record`, which writes their values to recorded.json. */
async function runDag(name: string, body: string, recordInputs: string): Promise<{ out: DagTestJson; recorded: Recorded | null }> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${name}.ts`),
    `import { dag } from "baton";
import { consume, publish } from "baton/operators";
import { writeFileSync } from "node:fs";
export default dag({ id: ${JSON.stringify(name)} }, (d) => {
${body}
  d.task("record", { inputs: { ${recordInputs} } }, (ctx, v) => { writeFileSync(${JSON.stringify(join(dir, "recorded.json"))}, JSON.stringify(v)); });
});
`,
  );
  const r = await baton(["dags", "test", name, "--dags", dir, "--home", join(dir, "home"), "--json", "--date", "2026-01-02"]);
  const out = batonJson<DagTestJson>(r);
  const file = join(dir, "recorded.json");
  return { out, recorded: existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Recorded) : null };
}

/** A DAG publishing three JSON messages, then consuming them downstream and recording what it got. */
function roundTrip(name: string, conn: string, destination: unknown, source: unknown) {
  const t = JSON.stringify;
  return runDag(
    name,
    `  const sent = publish(d, "send", { conn: ${t(conn)}, destination: ${t(destination)}, headers: { "x-day": "{{ ds }}" },
    messages: [{ n: 1, day: "{{ ds }}" }, { n: 2, day: "{{ ds }}" }, { n: 3, day: "{{ ds }}" }] });
  const got = consume(d, "take", { conn: ${t(conn)}, source: ${t(source)}, max: 3, waitFor: "10s" });
  sent.then(got);`,
    "sent, got",
  );
}

/** A DAG that peeks (ack: false) and then takes the same messages again. */
function peekThenTake(name: string, conn: string, destination: unknown, source: unknown) {
  const t = JSON.stringify;
  return runDag(
    name,
    `  const sent = publish(d, "send", { conn: ${t(conn)}, destination: ${t(destination)}, messages: ["a", "b"] });
  const peek = consume(d, "peek", { conn: ${t(conn)}, source: ${t(source)}, max: 2, waitFor: "10s", ack: false });
  const take = consume(d, "take", { conn: ${t(conn)}, source: ${t(source)}, max: 2, waitFor: "10s" });
  const rest = consume(d, "rest", { conn: ${t(conn)}, source: ${t(source)}, waitFor: "1s" });
  sent.then(peek).then(take).then(rest);`,
    "peek, take, rest",
  );
}

function expectPeekThenTake(out: DagTestJson, recorded: Recorded | null) {
  expect(out.tasks.filter((t) => t.state !== "success")).toEqual([]);
  expect(recorded!.peek!.messages.map((m) => m.data).sort()).toEqual(["a", "b"]);
  expect(recorded!.take!.messages.map((m) => m.id).sort()).toEqual(recorded!.peek!.messages.map((m) => m.id).sort());
  expect(recorded!.rest!.count).toBe(0);
}

function expectThreeInOrder(out: DagTestJson, recorded: Recorded | null) {
  expect(out.tasks.filter((t) => t.state !== "success")).toEqual([]);
  expect(out.state).toBe("success");
  expect(recorded!.sent!.count).toBe(3);
  expect(recorded!.got!.count).toBe(3);
  expect(recorded!.got!.messages.map((m) => m.data)).toEqual([1, 2, 3].map((n) => ({ n, day: "2026-01-02" })));
  for (const m of recorded!.got!.messages) expect(m.headers["x-day"]).toBe("2026-01-02");
}

/**
 * consume with handle: the first attempt's handle throws, so the batch is handed back; the retry
 * handles the same messages and acknowledges them; a last consume finds nothing left.
 */
function handleThenAck(name: string, conn: string, destination: unknown, source: unknown) {
  const t = JSON.stringify;
  return runDag(
    name,
    `  const sent = publish(d, "send", { conn: ${t(conn)}, destination: ${t(destination)}, messages: [{ n: 1 }, { n: 2 }] });
  const stored = consume(d, "store", { conn: ${t(conn)}, source: ${t(source)}, max: 2, waitFor: "10s", retries: 1, retryDelay: 0,
    handle: (ctx, messages) => {
      if (ctx.tryNumber === 1) throw new Error("the warehouse is down");
      return { sum: messages.reduce((s, m) => s + (m.data as { n: number }).n, 0), try: ctx.tryNumber };
    } });
  const rest = consume(d, "rest", { conn: ${t(conn)}, source: ${t(source)}, waitFor: "1s" });
  sent.then(stored).then(rest);`,
    "stored, rest",
  );
}

function expectHandledOnRetry(out: DagTestJson, recorded: Recorded | null) {
  expect(out.tasks.filter((t) => t.state !== "success")).toEqual([]);
  expect(out.tasks.find((t) => t.taskId === "store")).toMatchObject({ attempts: 2 });
  expect(recorded!.stored).toEqual({ count: 2, result: { sum: 3, try: 2 } });
  expect(recorded!.rest!.count).toBe(0);
}

describe("consume with handle: acknowledged only after handle resolves", () => {
  it("NATS JetStream and Redis Streams: a throwing handle hands the batch back; the retry handles and acknowledges it", async (t) => {
    const downs = [await reachable(4222), await reachable(6379)];
    if (downs.some((d) => d !== null)) {
      console.warn(`skipping consume-handle test: ${downs.filter(Boolean).join("; ")}`);
      return t.skip();
    }
    const stream = unique("BATON_HANDLE");
    const subject = `${stream.toLowerCase()}.events`;
    const nc = await natsConnect({ servers: "127.0.0.1:4222" });
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: stream, subjects: [subject] });
      try {
        const { out, recorded } = await handleThenAck("nats_handle", "nats://127.0.0.1:4222", subject, { stream, durable: "baton_handle" });
        expectHandledOnRetry(out, recorded);
      } finally {
        await jsm.streams.delete(stream);
      }
    } finally {
      await nc.close();
    }
    const key = unique("baton_handle");
    const r = await handleThenAck("redis_handle", "redis://127.0.0.1:6379", key, key);
    expectHandledOnRetry(r.out, r.recorded);
  });

  it("RabbitMQ: the nacked batch is requeued and handled on the retry", async (t) => {
    if (await skipUnlessReachable(t, 5672, "RabbitMQ consume-handle test")) return;
    const queue = unique("baton_handle");
    const conn = await amqp.connect("amqp://guest:guest@127.0.0.1:5672");
    try {
      const ch = await conn.createChannel();
      await ch.assertQueue(queue, { durable: true });
      const { out, recorded } = await handleThenAck("amqp_handle", "amqp://guest:guest@127.0.0.1:5672", queue, queue);
      expectHandledOnRetry(out, recorded);
      await ch.deleteQueue(queue);
    } finally {
      await conn.close();
    }
  });
});

describe("publish and consume through the real binary", () => {
  it("NATS JetStream: publishes to a subject and consumes from a durable consumer", async (t) => {
    if (await skipUnlessReachable(t, 4222, "NATS test")) return;
    const stream = unique("BATON_TEST");
    const subject = `${stream.toLowerCase()}.events`;
    const nc = await natsConnect({ servers: "127.0.0.1:4222" });
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: stream, subjects: [subject] });
      try {
        const { out, recorded } = await roundTrip("nats_rt", "nats://127.0.0.1:4222", subject, { stream, durable: "baton_take" });
        expectThreeInOrder(out, recorded);
        expect(recorded!.got!.messages.map((m) => m.id)).toEqual(recorded!.sent!.ids);
        expect((await jsm.consumers.info(stream, "baton_take")).num_ack_pending).toBe(0);
      } finally {
        await jsm.streams.delete(stream);
      }
    } finally {
      await nc.close();
    }
  });

  it("RabbitMQ: publishes to a queue and consumes it, acknowledging the batch", async (t) => {
    if (await skipUnlessReachable(t, 5672, "RabbitMQ test")) return;
    const queue = unique("baton_test");
    const connection = await amqp.connect("amqp://guest:guest@127.0.0.1:5672");
    try {
      const { out, recorded } = await roundTrip("amqp_rt", "amqp://guest:guest@127.0.0.1:5672", queue, queue);
      expectThreeInOrder(out, recorded);
      expect(recorded!.got!.messages.map((m) => m.id)).toEqual(recorded!.sent!.ids);
      const ch = await connection.createChannel();
      expect((await ch.checkQueue(queue)).messageCount).toBe(0);
      await ch.close();
    } finally {
      const ch = await connection.createChannel();
      await ch.deleteQueue(queue);
      await connection.close();
    }
  });

  it("Redis Streams: XADD, then XREADGROUP in a group created on the fly, then XACK", async (t) => {
    if (await skipUnlessReachable(t, 6379, "Redis test")) return;
    const key = unique("baton:test");
    const redis = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: true });
    await redis.connect();
    try {
      const { out, recorded } = await roundTrip("redis_rt", "redis://127.0.0.1:6379", key, { stream: key, group: "etl" });
      expectThreeInOrder(out, recorded);
      expect(recorded!.got!.messages.map((m) => m.id)).toEqual(recorded!.sent!.ids);
      const pending = (await redis.xpending(key, "etl")) as [number, ...unknown[]];
      expect(pending[0]).toBe(0);
    } finally {
      await redis.del(key);
      await redis.quit();
    }
  });

  it("RabbitMQ: ack: false requeues the batch for the next consumer", async (t) => {
    if (await skipUnlessReachable(t, 5672, "RabbitMQ test")) return;
    const queue = unique("baton_test");
    try {
      const { out, recorded } = await peekThenTake("amqp_peek", "amqp://guest:guest@127.0.0.1:5672", { queue }, { queue });
      expectPeekThenTake(out, recorded);
    } finally {
      const connection = await amqp.connect("amqp://guest:guest@127.0.0.1:5672");
      const ch = await connection.createChannel();
      await ch.deleteQueue(queue);
      await connection.close();
    }
  });

  it("Redis Streams: entries read without ack stay pending and are read again by the same consumer", async (t) => {
    if (await skipUnlessReachable(t, 6379, "Redis test")) return;
    const key = unique("baton:test");
    try {
      const { out, recorded } = await peekThenTake("redis_peek", "redis://127.0.0.1:6379/0", key, { stream: key, group: "etl", consumer: "worker-1" });
      expectPeekThenTake(out, recorded);
    } finally {
      const redis = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: true });
      await redis.connect();
      await redis.del(key);
      await redis.quit();
    }
  });

  it("MQTT: publishes with QoS 1 and a persistent session receives them", async (t) => {
    if (await skipUnlessReachable(t, 1883, "MQTT test")) return;
    const topic = `baton/test/${unique("t")}`;
    const clientId = unique("baton_take");
    // Open the persistent session the consumer will resume, so the broker queues what is published meanwhile.
    const session = await mqtt.connectAsync({
      host: "127.0.0.1",
      port: 1883,
      protocolVersion: 5,
      clientId,
      clean: false,
      properties: { sessionExpiryInterval: 300 },
    });
    await session.subscribeAsync(topic, { qos: 1 });
    await session.endAsync();
    try {
      const { out, recorded } = await roundTrip("mqtt_rt", "mqtt://127.0.0.1:1883", topic, { topic, clientId });
      expectThreeInOrder(out, recorded);
    } finally {
      // A clean connection with the same client id ends the stored session.
      const end = await mqtt.connectAsync({ host: "127.0.0.1", port: 1883, protocolVersion: 5, clientId, clean: true });
      await end.endAsync();
    }
  });

  it("Kafka: round trip", async (t) => {
    const down = await reachable(9092);
    if (down) {
      console.warn("skipping Kafka test: no Kafka broker on 127.0.0.1:9092");
      return t.skip();
    }
    const topic = unique("baton_test");
    const { out, recorded } = await roundTrip("kafka_rt", "kafka://127.0.0.1:9092", topic, { topic, groupId: unique("baton_group") });
    expectThreeInOrder(out, recorded);
  });
});
