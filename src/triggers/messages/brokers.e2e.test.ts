import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import amqp from "amqplib";
import { Redis } from "ioredis";
import mqtt from "mqtt";
import { connect as natsConnect } from "nats";
import type { MessageTriggerSpec } from "../../core/model/event-trigger-spec.js";
import type { OpenMessageSource } from "./message-source.js";
import { openMessageSource } from "./open-message-source.js";
import { sleep, TriggerFixture } from "../testing/trigger-fixture.js";
import { reachable } from "../../../test/support/reachable.js";

// Real brokers on 127.0.0.1 (NATS JetStream, RabbitMQ, Redis, Mosquitto); one that does not
// answer is skipped with the reason printed. Kafka: see kafka-source.test.ts (no broker here).

const unique = (prefix: string) => `${prefix}_${Date.now()}_${randomBytes(3).toString("hex")}`;

/** A broker with a fresh stream / queue / topic for one test. */
interface Rig {
  spec(batch?: MessageTriggerSpec["batch"]): MessageTriggerSpec;
  publish(payloads: unknown[]): Promise<void>;
  /** Messages not acknowledged by the trigger (call with no manager running). */
  backlog(): Promise<number>;
  cleanup(): Promise<void>;
}

interface BrokerCase {
  name: string;
  port: number;
  batches: boolean;
  rig(): Promise<Rig>;
}

const nats: BrokerCase = {
  name: "NATS JetStream",
  port: 4222,
  batches: true,
  async rig() {
    const stream = unique("TRIG");
    const subject = `${stream.toLowerCase()}.in`;
    const durable = unique("baton_trig");
    const nc = await natsConnect({ servers: "127.0.0.1:4222" });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [subject] });
    const js = nc.jetstream();
    return {
      spec: (batch = null) => ({
        kind: "messages",
        id: "nats",
        conn: "nats://127.0.0.1:4222",
        source: { broker: "nats", stream, durable, subject: null },
        startAt: "earliest",
        batch,
      }),
      async publish(payloads) {
        for (const p of payloads) await js.publish(subject, JSON.stringify(p));
      },
      async backlog() {
        const info = await jsm.consumers.info(stream, durable);
        return info.num_pending + info.num_ack_pending;
      },
      async cleanup() {
        await jsm.streams.delete(stream).catch(() => {});
        await nc.close();
      },
    };
  },
};

const rabbit: BrokerCase = {
  name: "RabbitMQ",
  port: 5672,
  batches: true,
  async rig() {
    const queue = unique("baton_trig");
    const conn = await amqp.connect("amqp://guest:guest@127.0.0.1:5672");
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue(queue, { durable: true });
    let n = 0;
    return {
      spec: (batch = null) => ({
        kind: "messages",
        id: "rabbit",
        conn: "amqp://guest:guest@127.0.0.1:5672",
        source: { broker: "amqp", queue },
        startAt: "earliest",
        batch,
      }),
      async publish(payloads) {
        // Half with a messageId, half without (content keys).
        for (const p of payloads)
          ch.sendToQueue(queue, Buffer.from(JSON.stringify(p)), { persistent: true, ...(n++ % 2 === 0 ? { messageId: `msg-${n}` } : {}) });
        await ch.waitForConfirms();
      },
      async backlog() {
        return (await ch.checkQueue(queue)).messageCount;
      },
      async cleanup() {
        await ch.deleteQueue(queue).catch(() => {});
        await conn.close().catch(() => {});
      },
    };
  },
};

const redis: BrokerCase = {
  name: "Redis Streams",
  port: 6379,
  batches: true,
  async rig() {
    const key = unique("baton_trig");
    const group = "baton.trig";
    const r = new Redis({ host: "127.0.0.1", port: 6379 });
    return {
      spec: (batch = null) => ({
        kind: "messages",
        id: "redis",
        conn: "redis://127.0.0.1:6379",
        source: { broker: "redis", stream: key, group, consumer: "baton" },
        startAt: "earliest",
        batch,
      }),
      async publish(payloads) {
        for (const p of payloads) await r.xadd(key, "*", "data", JSON.stringify(p));
      },
      async backlog() {
        const groups = (await r.xinfo("GROUPS", key)) as unknown[][];
        const info = groups
          .map((g) => Object.fromEntries(Array.from({ length: g.length / 2 }, (_, i) => [g[2 * i], g[2 * i + 1]])))
          .find((g) => g.name === group);
        return Number(info?.pending ?? 0) + Number(info?.lag ?? 0);
      },
      async cleanup() {
        await r.del(key);
        await r.quit();
      },
    };
  },
};

const mosquitto: BrokerCase = {
  name: "MQTT (Mosquitto, QoS 1, persistent session)",
  port: 1883,
  batches: false,
  async rig() {
    const topic = `baton/${unique("trig")}/in`;
    const clientId = unique("baton-trig");
    // The session exists (subscribed) before anything is published, as after a trigger's first start.
    const session = await mqtt.connectAsync({
      host: "127.0.0.1",
      port: 1883,
      protocolVersion: 5,
      clientId,
      clean: false,
      properties: { sessionExpiryInterval: 600 },
    });
    await session.subscribeAsync(topic, { qos: 1 });
    await session.endAsync();
    const pub = await mqtt.connectAsync({ host: "127.0.0.1", port: 1883, protocolVersion: 5 });
    let n = 0;
    return {
      spec: () => ({
        kind: "messages",
        id: "mqtt",
        conn: "mqtt://127.0.0.1:1883",
        source: { broker: "mqtt", topic, clientId },
        startAt: "earliest",
        batch: null,
      }),
      async publish(payloads) {
        // Half with a message-id user property, half without (content keys).
        for (const p of payloads) {
          const properties = n++ % 2 === 0 ? { userProperties: { "message-id": `msg-${n}` } } : undefined;
          await pub.publishAsync(topic, JSON.stringify(p), { qos: 1, properties });
        }
      },
      async backlog() {
        // Takes the session over for a moment and counts what it still holds (acknowledging it).
        let got = 0;
        const probe = await mqtt.connectAsync({
          host: "127.0.0.1",
          port: 1883,
          protocolVersion: 5,
          clientId,
          clean: false,
          properties: { sessionExpiryInterval: 600 },
        });
        probe.on("message", () => got++);
        await sleep(700);
        await probe.endAsync();
        return got;
      },
      async cleanup() {
        await pub.endAsync();
        const end = await mqtt.connectAsync({ host: "127.0.0.1", port: 1883, protocolVersion: 5, clientId, clean: true });
        await end.endAsync();
      },
    };
  },
};

let f: TriggerFixture;
let rig: Rig | null = null;
beforeEach(async () => {
  f = await new TriggerFixture().open();
});
afterEach(async () => {
  await f.dispose();
  await rig?.cleanup();
  rig = null;
});

const runsOf = () => f.runs("orders");
const dataOf = async () =>
  (await runsOf()).flatMap((r) => (r.conf.messages as { data: unknown }[] | undefined)?.map((m) => m.data) ?? [(r.conf.message as { data: unknown }).data]);
const acksAfterRedelivery = () => f.logs.filter((l) => l.msg?.startsWith("messages delivered again")).length;

/** Opens the real source, but "crashes" on acknowledgement number `after + 1`: the run exists, that ack never happens. */
function crashingOnAck(after = 0): { open: OpenMessageSource; crashed: () => boolean } {
  let crashed = false;
  let acks = 0;
  return {
    crashed: () => crashed,
    open: async (conn, spec) => {
      const real = await openMessageSource(conn, spec);
      return {
        receive: (max, waitMs) => real.receive(max, waitMs),
        ack: async (deliveries) => {
          if (acks++ < after) return real.ack(deliveries);
          crashed = true;
          throw new Error("simulated crash before the acknowledgement");
        },
        close: () => real.close(),
      };
    },
  };
}

describe.each([nats, rabbit, redis, mosquitto])("message triggers on $name", (broker) => {
  const setUp = async (t: { skip: () => void }, batch: MessageTriggerSpec["batch"] = null): Promise<boolean> => {
    const down = await reachable(broker.port);
    if (down) {
      console.warn(`skipping ${broker.name} trigger test: ${down}`);
      t.skip();
      return false;
    }
    rig = await broker.rig();
    await f.saveDag("orders", [rig.spec(batch)]);
    return true;
  };

  it("creates a run per message, with the message in its conf, and acknowledges it", async (t) => {
    if (!(await setUp(t))) return;
    const m = await f.manager();
    await rig!.publish([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await f.until(async () => (await runsOf()).length === 3, 20_000, "three runs");
    await sleep(300);
    await m.stop();
    const runs = await runsOf();
    expect(runs.map((r) => r.runType)).toEqual(["event", "event", "event"]);
    expect((await dataOf()).sort((a, b) => (a as { n: number }).n - (b as { n: number }).n)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    for (const r of runs) expect(r.runId).toMatch(/^event__[a-z]+__[A-Za-z0-9_.~:+-]+$/);
    expect(await rig!.backlog()).toBe(0);
  });

  it("creates a run per batch when asked (not for MQTT)", async (t) => {
    if (!broker.batches) {
      console.warn(`skipping batch test on ${broker.name}: batches are refused for MQTT (one unacknowledged message at a time)`);
      return t.skip();
    }
    if (!(await setUp(t, { size: 3, withinMs: 1_500 }))) return;
    await rig!.publish([1, 2, 3, 4, 5, 6, 7]);
    const m = await f.manager();
    await f.until(async () => (await dataOf()).length === 7, 20_000, "seven messages in runs");
    await m.stop();
    const sizes = (await runsOf()).map((r) => (r.conf.messages as unknown[]).length);
    expect(sizes.every((n) => n >= 1 && n <= 3)).toBe(true);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    expect((await dataOf()).sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await rig!.backlog()).toBe(0);
  });

  it("a crash after the run is stored but before the acknowledgement: the message comes again and makes no second run", async (t) => {
    if (!(await setUp(t))) return;
    const crash = crashingOnAck();
    const first = await f.manager({ openSource: crash.open });
    await rig!.publish([{ order: 42 }]);
    await f.until(async () => crash.crashed() && (await runsOf()).length === 1, 20_000, "the run, then the crash");
    await first.stop();

    await f.manager();
    await f.until(() => acksAfterRedelivery() >= 1, 20_000, "the redelivered message to be acknowledged");
    await sleep(300);
    expect(await dataOf()).toEqual([{ order: 42 }]);
  });

  it("the same for a message without a broker id (content key; RabbitMQ and MQTT flag the redelivery)", async (t) => {
    if (!(await setUp(t))) return;
    // The rigs give every other message an id: the second one has none on RabbitMQ and MQTT.
    const crash = crashingOnAck(1);
    const first = await f.manager({ openSource: crash.open });
    await rig!.publish([{ order: 1 }, { order: 2 }]);
    await f.until(async () => crash.crashed() && (await runsOf()).length === 2, 20_000, "two runs, then the crash");
    await first.stop();

    await f.manager();
    await f.until(() => acksAfterRedelivery() >= 1, 20_000, "the redelivered message to be acknowledged");
    await sleep(300);
    expect(await dataOf()).toEqual([{ order: 1 }, { order: 2 }]);
  });

  it("N messages published across a restart give exactly N runs", async (t) => {
    if (!(await setUp(t))) return;
    const first = await f.manager();
    await rig!.publish(Array.from({ length: 10 }, (_, i) => ({ i })));
    await f.until(async () => (await runsOf()).length >= 2, 20_000, "some runs");
    await first.stop();
    await rig!.publish(Array.from({ length: 10 }, (_, i) => ({ i: 10 + i })));
    const second = await f.manager();
    await f.until(async () => (await runsOf()).length >= 20, 30_000, "twenty runs");
    await sleep(500);
    await second.stop();
    const data = (await dataOf()).map((d) => (d as { i: number }).i).sort((a, b) => a - b);
    expect(data).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await rig!.backlog()).toBe(0);
  });
});
