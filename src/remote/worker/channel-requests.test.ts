import { describe, expect, it } from "vitest";
import { ConflictError, NotFoundError } from "../../core/errors.js";
import { ManualClock } from "../../core/testing/manual-clock.js";
import type { WorkerMessage } from "../protocol.js";
import { ChannelRequests } from "./channel-requests.js";

function setUp() {
  const clock = new ManualClock(1_000);
  const sent: WorkerMessage[] = [];
  let open = false;
  const requests = new ChannelRequests((m) => (open ? (sent.push(m), true) : false), clock, 30_000);
  return { clock, sent, requests, setOpen: (v: boolean) => (open = v) };
}

describe("ChannelRequests (the tasks' questions over the worker's channel)", () => {
  it("asks for the attempt, by req, and resolves with the server's answer", async () => {
    const { sent, requests, setOpen } = setUp();
    setOpen(true);
    const pending = requests.secretsFor("1/a/-1/1").variable("region");
    expect(sent).toEqual([{ t: "secret", req: 1, id: "1/a/-1/1", kind: "variable", name: "region" }]);
    requests.answer({ req: 1, variable: "eu" });
    await expect(pending).resolves.toBe("eu");
  });

  it("error answers become the errors the executor maps back to the same code", async () => {
    const { requests, setOpen } = setUp();
    setOpen(true);
    const conn = requests.secretsFor("x").connection("nope");
    requests.answer({ req: 1, error: 'no connection "nope"', code: "not_found" });
    await expect(conn).rejects.toEqual(new NotFoundError('no connection "nope"'));
    const trigger = requests.dagRunsFor("x").triggerRun("other", { runId: "r1" });
    requests.answer({ req: 2, error: "run r1 exists", code: "conflict" });
    await expect(trigger).rejects.toBeInstanceOf(ConflictError);
  });

  it("a question asked without a connection waits for the next one", async () => {
    const { sent, requests, setOpen } = setUp();
    const pending = requests.dagRunsFor("x").getRun("other", "r1");
    expect(sent).toEqual([]);
    setOpen(true);
    requests.connected();
    expect(sent).toEqual([{ t: "dagRuns", req: 1, id: "x", op: "getRun", args: ["other", "r1"] }]);
    requests.answer({ req: 1, value: null });
    await expect(pending).resolves.toBeNull();
  });

  it("a question already sent fails when the connection drops (it is never sent twice)", async () => {
    const { sent, requests, setOpen } = setUp();
    setOpen(true);
    const pending = requests.dagRunsFor("x").triggerRun("other", {});
    setOpen(false);
    requests.disconnected();
    await expect(pending).rejects.toThrow("the connection to the API server was lost before it answered triggerRun() of another DAG's runs");
    setOpen(true);
    requests.connected();
    expect(sent).toHaveLength(1);
  });

  it("a question not answered in time fails, saying whether there was a connection", async () => {
    const { clock, requests, setOpen } = setUp();
    const waiting = requests.secretsFor("x").connection("wh");
    clock.advance(30_000);
    await expect(waiting).rejects.toThrow('the API server did not answer ctx.connection("wh") within 30s: there was no connection to it');
    setOpen(true);
    const unanswered = requests.secretsFor("x").variable("v");
    clock.advance(29_999);
    requests.answer({ req: 999, variable: "not this one" });
    clock.advance(1);
    await expect(unanswered).rejects.toThrow("within 30s: it did not answer");
  });
});
