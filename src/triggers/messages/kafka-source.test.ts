import { describe, expect, it } from "vitest";
import type { KafkaMessage } from "kafkajs";
import { kafkaCommits, kafkaDelivery } from "./kafka-source.js";
import { createUnitRun } from "./message-runs.js";
import { eventRunId } from "../event-run-ids.js";

// No Kafka broker runs here: the mapping of messages to run ids and of acknowledgements to
// offset commits is tested on its own; the loop around it is the one the other brokers use.
const msg = (offset: string, value: string): KafkaMessage =>
  ({ key: null, value: Buffer.from(value), timestamp: "0", attributes: 0, offset, headers: { "x-day": Buffer.from("2026-01-02") } }) as KafkaMessage;

describe("Kafka trigger mapping", () => {
  it("keys a message by partition and offset, decodes it like consume does", () => {
    const d = kafkaDelivery("orders", 3, msg("41", '{"n":1}'));
    expect(d).toEqual({
      message: { data: { n: 1 }, headers: { "x-day": "2026-01-02" }, id: "41", subject: "orders" },
      key: "p3.o41",
      stable: true,
      redelivered: false,
    });
    expect(eventRunId("orders", d.key)).toBe("event__orders__p3.o41");
  });

  it("commits, per partition, the offset after the highest acknowledged one", () => {
    const ds = [
      kafkaDelivery("t", 0, msg("5", "a")),
      kafkaDelivery("t", 1, msg("9", "b")),
      kafkaDelivery("t", 0, msg("7", "c")),
      kafkaDelivery("t", 0, msg("6", "d")),
    ];
    expect(kafkaCommits("t", ds)).toEqual([
      { topic: "t", partition: 0, offset: "8" },
      { topic: "t", partition: 1, offset: "10" },
    ]);
    expect(kafkaCommits("t", [kafkaDelivery("t", 2, msg("9007199254740993", "big"))])).toEqual([{ topic: "t", partition: 2, offset: "9007199254740994" }]);
    expect(kafkaCommits("t", [])).toEqual([]);
  });

  it("a message read again after a restart (same partition and offset) maps to the run created before", async () => {
    const created = new Map<string, number>();
    const writer = {
      find: async () => undefined,
      create: async (_dag: string, runId: string) => {
        const seen = created.has(runId);
        created.set(runId, (created.get(runId) ?? 0) + 1);
        return { run: { runId, conf: {} } as never, created: !seen };
      },
    };
    const first = await createUnitRun(writer as never, "d", "orders", [kafkaDelivery("orders", 0, msg("12", "x"))], false);
    const again = await createUnitRun(writer as never, "d", "orders", [kafkaDelivery("orders", 0, msg("12", "x"))], false);
    expect([first.created, again.created]).toEqual([true, false]);
    expect(again.covered).toHaveLength(1);
    expect([...created.keys()]).toEqual(["event__orders__p0.o12"]);
  });
});
