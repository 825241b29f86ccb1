import { describe, expect, it } from "vitest";
import type { Connection } from "../../core/model/connection.js";
import { dag } from "../../sdk/index.js";
import { amqpUrl } from "./amqp-client.js";
import { consume } from "./consume.js";
import { fromKafkaMessage, kafkaConfig, kafkaMessages } from "./kafka-client.js";
import { mqttOptions } from "./mqtt-client.js";
import { publish } from "./publish.js";
import { entryToMessage } from "./redis-client.js";

const conn = (c: Partial<Connection>): Connection => ({
  id: "mq",
  type: "kafka",
  host: null,
  port: null,
  login: null,
  password: null,
  schema: null,
  extra: {},
  ...c,
});

function declare(fn: (d: Parameters<Parameters<typeof dag>[1]>[0]) => void): void {
  dag({ id: "mq_options" }, (d) => fn(d));
}

describe("publish and consume options", () => {
  it("are checked when the DAG file loads, naming the task and the option", () => {
    expect(() => declare((d) => publish(d, "p", { conn: "nats://h", destination: "s" } as never))).toThrow(
      /publish\("p"\): give exactly one of messages or message/,
    );
    expect(() => declare((d) => publish(d, "p", { conn: "", destination: "s", message: 1 }))).toThrow(/conn must be/);
    expect(() => declare((d) => publish(d, "p", { conn: "x", destination: { exchange: 3 } as never, message: 1 }))).toThrow(/destination must be/);
    expect(() => declare((d) => publish(d, "p", { conn: "x", destination: "q", message: 1, headers: { n: 1 } as never }))).toThrow(
      /header "n" must be a string/,
    );
    expect(() => declare((d) => publish(d, "p", { conn: "x", destination: "q", message: 1, qos: 2 } as never))).toThrow(
      /unknown option "qos"; valid options: conn, destination, messages, message, headers/,
    );
    expect(() => declare((d) => consume(d, "c", { conn: "x", source: "q", max: 0 }))).toThrow(/max must be an integer ≥ 1/);
    expect(() => declare((d) => consume(d, "c", { conn: "x", source: "q", waitFor: "soon" }))).toThrow(/waitFor "soon" is not a duration/);
    expect(() => declare((d) => consume(d, "c", { conn: "x", source: { stream: "s", durabel: "d" } as never }))).toThrow(/source field "durabel"/);
    expect(() => declare((d) => consume(d, "c", { conn: "x", source: "" }))).toThrow(/source must be/);
    expect(() => declare((d) => consume(d, "c", { conn: "x", source: "q", ack: "yes" as never }))).toThrow(/ack must be true or false/);
    declare((d) => {
      publish(d, "ok_p", { conn: "amqp://h", destination: { exchange: "ex", routingKey: "k" }, messages: ["a", { b: 1 }, Buffer.from("c")], retries: 2 });
      consume(d, "ok_c", { conn: "nats://h", source: { stream: "S", durable: "D" }, max: 3, waitFor: "2s", ack: false, after: "ok_p" });
    });
  });
});

describe("broker option mapping", () => {
  it("maps a kafka connection to kafkajs brokers, SASL and TLS", () => {
    expect(kafkaConfig(conn({ host: "k1", port: 9093 }))).toMatchObject({ brokers: ["k1:9093"], clientId: "baton" });
    expect(kafkaConfig(conn({ extra: { brokers: "a:1, b:2", clientId: "etl", ssl: "true" } }))).toMatchObject({
      brokers: ["a:1", "b:2"],
      clientId: "etl",
      ssl: true,
    });
    expect(kafkaConfig(conn({ login: "u", password: "p", extra: { saslMechanism: "SCRAM-SHA-512" } })).sasl).toEqual({
      mechanism: "scram-sha-512",
      username: "u",
      password: "p",
    });
    expect(kafkaConfig(conn({ login: "u" })).sasl).toEqual({ mechanism: "plain", username: "u", password: "" });
    expect(() => kafkaConfig(conn({ login: "u", extra: { saslMechanism: "gssapi" } }))).toThrow(/saslMechanism "gssapi" is not one of plain/);
  });

  it("encodes kafka messages with headers and decodes them with the offset as id", () => {
    const payloads = [Buffer.from('{"n":1}'), Buffer.from("two")];
    expect(kafkaMessages(payloads, {})).toEqual([{ value: payloads[0] }, { value: payloads[1] }]);
    expect(kafkaMessages(payloads, { src: "baton" })[1]).toEqual({ value: payloads[1], headers: { src: "baton" } });
    const m = {
      key: null,
      value: Buffer.from('{"n":1}'),
      timestamp: "0",
      attributes: 0,
      offset: "41",
      headers: { src: Buffer.from("baton"), many: [Buffer.from("a"), "b"] },
    };
    expect(fromKafkaMessage("orders", m)).toEqual({ data: { n: 1 }, headers: { src: "baton", many: "a,b" }, id: "41", subject: "orders" });
  });

  it("builds AMQP URLs with the schema as virtual host", () => {
    expect(amqpUrl(conn({ type: "amqp", host: "r", login: "guest", password: "p@ss" }))).toBe("amqp://guest:p%40ss@r:5672");
    expect(amqpUrl(conn({ type: "amqps", host: "r", schema: "/" }))).toBe("amqps://r:5671/%2F");
  });

  it("gives MQTT a persistent session only with a clientId", () => {
    const plain = mqttOptions(conn({ type: "mqtt", host: "m" }));
    expect(plain).toMatchObject({ protocol: "mqtt", host: "m", port: 1883, protocolVersion: 5 });
    expect(plain.clean).toBeUndefined();
    expect(mqttOptions(conn({ type: "mqtts" }), "etl-1")).toMatchObject({
      protocol: "mqtts",
      port: 8883,
      clientId: "etl-1",
      clean: false,
      properties: { sessionExpiryInterval: 86_400 },
    });
  });

  it("reads Redis stream entries: data and headers fields, else all fields", () => {
    const b = (...s: string[]) => s.map((x) => Buffer.from(x));
    expect(entryToMessage("k", "1-0", b("data", '{"a":1}', "headers", '{"h":"v"}'))).toEqual({ data: { a: 1 }, headers: { h: "v" }, id: "1-0", subject: "k" });
    expect(entryToMessage("k", "2-0", b("temp", "21", "unit", "C"))).toEqual({ data: { temp: "21", unit: "C" }, headers: {}, id: "2-0", subject: "k" });
  });
});

describe("Redis XREADGROUP replies", () => {
  it("are read whether nested per stream or flattened, and empty when null", async () => {
    const { streamEntries } = await import("./redis-client.js");
    const entry = [Buffer.from("1-0"), [Buffer.from("data"), Buffer.from("1")]];
    expect(streamEntries([[Buffer.from("k"), [entry]]])).toEqual([entry]);
    expect(streamEntries([Buffer.from("k"), [entry]])).toEqual([entry]);
    expect(streamEntries(null)).toEqual([]);
  });
});

describe("publish and consume types", () => {
  it("are typed TaskRefs that feed typed inputs", async () => {
    const { expectTypeOf } = await import("vitest");
    type TaskRef<T> = import("../../sdk/task-ref.js").TaskRef<T>;
    declare((d) => {
      const sent = publish(d, "p", { conn: "redis://h", destination: "k", message: "x" });
      const got = consume(d, "c", { conn: "redis://h", source: "k" });
      expectTypeOf(sent).toEqualTypeOf<TaskRef<import("./publish.js").PublishResult>>();
      d.task("use", { inputs: { got } }, (ctx, v) => {
        expectTypeOf(v.got.messages[0]!.data).toEqualTypeOf<unknown>();
        expectTypeOf(v.got.count).toEqualTypeOf<number>();
      });
      // @ts-expect-error unknown option names are refused by the types, and at load time
      expect(() => consume(d, "bad", { conn: "x", source: "k", limit: 2 })).toThrow(/unknown option "limit"/);
    });
  });
});
