import { describe, expect, it } from "vitest";
import { dag } from "../sdk/dag.js";
import { onFile, onMessage } from "../sdk/trigger-options.js";
import type { DagOptions } from "../sdk/dag-options.js";
import { z } from "zod";

const specOf = (options: DagOptions) => dag(options, (d) => void d.task("t", () => 1)).toSpec();

describe("dag({ triggers }) with onFile and onMessage", () => {
  it("serializes triggers into the spec with defaults; a DAG without triggers has none", () => {
    const spec = specOf({
      id: "ingest",
      triggers: [
        onFile({ folder: "/data/in", pattern: "**/*.csv", every: "5s" }),
        onMessage({ broker: "nats", conn: "events", stream: "ORDERS" }),
        onMessage({ id: "r", broker: "redis", conn: "redis://127.0.0.1:6379", stream: "jobs", batch: { size: 50, within: "10s" }, startAt: "latest" }),
        onMessage({ broker: "mqtt", conn: "mqtt://127.0.0.1", topic: "plant/+/temp" }),
        onMessage({ broker: "kafka", conn: "k", topic: "orders", groupId: "g" }),
        onMessage({ broker: "amqp", conn: "rabbit", queue: "jobs" }),
      ],
    });
    expect(spec.triggers).toEqual([
      { kind: "files", id: "files", location: "/data/in", pattern: "**/*.csv", conn: null, pollMs: 5000 },
      {
        kind: "messages",
        id: "nats",
        conn: "events",
        source: { broker: "nats", stream: "ORDERS", durable: "baton_ingest_nats", subject: null },
        startAt: "earliest",
        batch: null,
      },
      {
        kind: "messages",
        id: "r",
        conn: "redis://127.0.0.1:6379",
        source: { broker: "redis", stream: "jobs", group: "baton.ingest.r", consumer: "baton" },
        startAt: "latest",
        batch: { size: 50, withinMs: 10_000 },
      },
      {
        kind: "messages",
        id: "mqtt",
        conn: "mqtt://127.0.0.1",
        source: { broker: "mqtt", topic: "plant/+/temp", clientId: "baton.ingest.mqtt" },
        startAt: "earliest",
        batch: null,
      },
      { kind: "messages", id: "kafka", conn: "k", source: { broker: "kafka", topic: "orders", groupId: "g" }, startAt: "earliest", batch: null },
      { kind: "messages", id: "amqp", conn: "rabbit", source: { broker: "amqp", queue: "jobs" }, startAt: "earliest", batch: null },
    ]);
    expect(JSON.parse(JSON.stringify(spec.triggers))).toEqual(spec.triggers);
    expect(specOf({ id: "plain" })).not.toHaveProperty("triggers");
  });

  it("refuses bad options at once with the key and the valid choices", () => {
    expect(() => onFile({ folder: "data/in" })).toThrow(/onFile\(\)\.folder must be an absolute path/);
    expect(() => onFile({ pattern: "*.csv" })).toThrow(/give exactly one of folder .* or bucket/);
    expect(() => onFile({ folder: "/in", every: "50ms" })).toThrow(/every must be at least 100ms/);
    expect(() => onFile({ folder: "/in", ...({ patern: "*" } as object) })).toThrow(
      /unknown onFile\(\) option "patern"; valid .*: kind, id, folder, bucket, conn, pattern, every/,
    );
    expect(() => onFile({ bucket: "raw/incoming" })).toThrow(/bucket must be an s3:\/\/, gs:\/\/ or az:\/\/ URL/);
    expect(() => onMessage({ broker: "sqs", conn: "x" } as never)).toThrow(/broker must be one of nats, amqp, redis, mqtt, kafka; got "sqs"/);
    expect(() => onMessage({ broker: "nats", conn: "x" } as never)).toThrow(/stream must be a non-empty string/);
    expect(() => onMessage({ broker: "amqp", conn: "x", queue: "q", topic: "t" } as never)).toThrow(
      /unknown onMessage\(\) option for broker amqp "topic"; valid .*queue/,
    );
    expect(() => onMessage({ broker: "mqtt", conn: "x", topic: "t", batch: { size: 10, within: "1s" } })).toThrow(/batch is not available for mqtt/);
    expect(() => onMessage({ broker: "redis", conn: "x", stream: "s", batch: { size: 0, within: "1s" } })).toThrow(/batch\.size must be an integer >= 1/);
    expect(() => onMessage({ broker: "redis", conn: "x", stream: "s", id: "has space" })).toThrow(/id "has space" is invalid/);
  });

  it("fails the DAG when two triggers share an id, naming the DAG", () => {
    expect(() =>
      specOf({ id: "two", triggers: [onMessage({ broker: "redis", conn: "x", stream: "a" }), onMessage({ broker: "redis", conn: "x", stream: "b" })] }),
    ).toThrow(/DAG "two": triggers: two triggers have the id "redis"; give each an id/);
    expect(() => specOf({ id: "bad", triggers: "nope" as never })).toThrow(/triggers must be a list of onFile/);
  });

  it("refuses params that would refuse the event in the conf, and accepts ordinary z.object params", () => {
    const file = onFile({ folder: "/in" });
    expect(() => specOf({ id: "strict", params: z.strictObject({ n: z.number().default(1) }), triggers: [file] })).toThrow(
      /params refuse unknown keys, but event runs carry "file" in their conf; use z.object \(not z.strictObject\) or declare file: z.any\(\)\.optional\(\)/,
    );
    const batch = onMessage({ broker: "nats", conn: "x", stream: "S", batch: { size: 5, within: "1s" } });
    expect(() => specOf({ id: "strict2", params: z.strictObject({ messages: z.any().optional() }), triggers: [batch] })).not.toThrow();
    expect(specOf({ id: "loose", params: z.object({ n: z.number().default(1) }), triggers: [file] }).triggers).toHaveLength(1);
  });
});
