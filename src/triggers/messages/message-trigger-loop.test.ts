import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MessageTriggerSpec } from "../../core/model/event-trigger-spec.js";
import { MemoryBroker } from "../testing/memory-broker.js";
import { sleep, TriggerFixture } from "../testing/trigger-fixture.js";

let f: TriggerFixture;
let broker: MemoryBroker;
beforeEach(async () => {
  f = await new TriggerFixture().open();
  broker = new MemoryBroker();
});
afterEach(() => f.dispose());

const spec = (batch: MessageTriggerSpec["batch"] = null): MessageTriggerSpec => ({
  kind: "messages",
  id: "q",
  conn: "amqp://127.0.0.1",
  source: { broker: "amqp", queue: "q" },
  startAt: "earliest",
  batch,
});
const runs = () => f.runs("orders");
const payloads = async () => (await runs()).map((r) => (r.conf.message as { data: string }).data);

describe("message trigger loop (in-memory broker)", () => {
  it("creates a run per message, then acknowledges it; the run id derives from the message id", async () => {
    await f.saveDag("orders", [spec()]);
    await f.manager({ openSource: broker.open });
    broker.publish("one", "id-1");
    broker.publish("two", "id-2");
    await f.until(() => broker.acked.length === 2, 5_000, "two acks");
    const all = await runs();
    expect(all.map((r) => r.runId)).toEqual(["event__q__mid-1", "event__q__mid-2"]);
    expect(all[0]!.runType).toBe("event");
    expect(all[0]!.conf).toEqual({ message: { data: "one", headers: {}, id: "id-1", subject: "q", key: "mid-1" } });
  });

  it("a message delivered again after a crash before its acknowledgement finds its run", async () => {
    await f.saveDag("orders", [spec()]);
    broker.failAcks = true;
    const first = await f.manager({ openSource: broker.open });
    broker.publish("one", "id-1");
    broker.publish("same text", null);
    await f.until(async () => (await runs()).length >= 1, 5_000, "the run");
    await first.stop();
    expect(broker.acked).toEqual([]);
    expect(broker.queue.every((m) => m.redelivered)).toBe(true);

    broker.failAcks = false;
    await f.manager({ openSource: broker.open });
    await f.until(() => broker.acked.length === 2, 5_000, "acks after the restart");
    expect(await payloads()).toEqual(["one", "same text"]);
  });

  it("identical messages without an id each get a run (ordinals), a redelivered one does not", async () => {
    await f.saveDag("orders", [spec()]);
    await f.manager({ openSource: broker.open });
    broker.publish("ping");
    broker.publish("ping");
    await f.until(() => broker.acked.length === 2, 5_000, "two acks");
    const ids = (await runs()).map((r) => r.runId);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(`${ids[0]}~2`);
    broker.queue.push({ payload: "ping", id: null, redelivered: true });
    await f.until(() => broker.acked.length === 3, 5_000, "the redelivery's ack");
    expect(await runs()).toHaveLength(2);
  });

  it("batches: one run per up to `size` messages, or what came within `within`", async () => {
    await f.saveDag("orders", [spec({ size: 3, withinMs: 300 })]);
    await f.manager({ openSource: broker.open });
    for (const p of ["a", "b", "c", "d"]) broker.publish(p, p);
    await f.until(() => broker.acked.length === 4, 5_000, "four acks");
    const all = await runs();
    expect(all.map((r) => (r.conf.messages as { data: string }[]).map((m) => m.data))).toEqual([["a", "b", "c"], ["d"]]);
    expect(all.map((r) => r.runId)).toEqual(["event__q__ma", "event__q__md"]);
  });

  it("a batch delivered again (and grown) after a crash acknowledges what its run covers and batches the rest", async () => {
    await f.saveDag("orders", [spec({ size: 3, withinMs: 200 })]);
    broker.failAcks = true;
    const first = await f.manager({ openSource: broker.open });
    broker.publish("a", "a");
    broker.publish("b", "b");
    await f.until(async () => (await runs()).length === 1, 5_000, "the first batch's run");
    await first.stop();
    broker.failAcks = false;
    broker.publish("c", "c");
    broker.publish("d", "d");
    await f.manager({ openSource: broker.open });
    await f.until(() => broker.acked.length === 4, 5_000, "all acks");
    await sleep(300);
    const all = await runs();
    expect(all.map((r) => (r.conf.messages as { data: string }[]).map((m) => m.data))).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
  });

  it("N messages published across a restart give exactly N runs", async () => {
    await f.saveDag("orders", [spec()]);
    const first = await f.manager({ openSource: broker.open });
    for (let i = 0; i < 20; i++) broker.publish(`m${i}`, `${i}`);
    await sleep(30);
    await first.stop();
    for (let i = 20; i < 40; i++) broker.publish(`m${i}`, `${i}`);
    await f.manager({ openSource: broker.open });
    await f.until(async () => (await runs()).length === 40 && broker.queue.length === 0, 10_000, "40 runs");
    expect(new Set(await payloads()).size).toBe(40);
  });

  it("leaves messages unacknowledged while the DAG is paused", async () => {
    await f.saveDag("orders", [spec()]);
    await f.store.setDagPaused("orders", true);
    const m = await f.manager({ openSource: broker.open });
    broker.publish("x", "x");
    await sleep(300);
    expect(m.running).toEqual([]);
    expect(broker.queue).toHaveLength(1);
    await f.store.setDagPaused("orders", false);
    await f.until(() => broker.acked.length === 1, 5_000, "the ack after unpausing");
  });
});
