import { connect } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiHarness, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness({ mode: "required" });
});
afterEach(async () => {
  await h.close();
});

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, needle: string): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes(needle)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

describe("GET /api/v1/events", () => {
  it("streams change events as server-sent events and unsubscribes on close", async () => {
    const address = await h.app.listen({ host: "127.0.0.1", port: 0 });
    const abort = new AbortController();
    const res = await fetch(`${address}/api/v1/events`, { headers: await h.bearer("viewer"), signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const reader = res.body!.getReader();
    await readUntil(reader, ": connected");
    expect(h.changes.listeners.size).toBe(1);
    h.changes.emit({ kind: "task", dagId: "etl", runId: "r1", taskId: "load", state: "running" });
    const text = await readUntil(reader, "\n\n");
    expect(text).toContain(`event: change\ndata: {"kind":"task","dagId":"etl","runId":"r1","taskId":"load","state":"running"}\n\n`);
    abort.abort();
    await reader.cancel().catch(() => {});
    for (let i = 0; i < 100 && h.changes.listeners.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(h.changes.listeners.size).toBe(0);
  });

  it("regression: app.close() ends open event streams instead of waiting for them", async () => {
    const address = await h.app.listen({ host: "127.0.0.1", port: 0 });
    const res = await fetch(`${address}/api/v1/events`, { headers: await h.bearer("viewer") });
    const reader = res.body!.getReader();
    await readUntil(reader, ": connected");
    const started = performance.now();
    await h.app.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(h.changes.listeners.size).toBe(0);
    expect((await reader.read()).done).toBe(true);
  });

  it("regression (issue 13): a client that does not read is cut off instead of holding every event in memory", async () => {
    const address = new URL(await h.app.listen({ host: "127.0.0.1", port: 0 }));
    const auth = (await h.bearer("viewer")).authorization!;
    const socket = connect(Number(address.port), "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    socket.write(`GET /api/v1/events HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: ${auth}\r\n\r\n`);
    let closed = false;
    socket.on("close", () => (closed = true));
    socket.on("error", () => {});
    for (let i = 0; i < 100 && h.changes.listeners.size === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(h.changes.listeners.size).toBe(1);
    socket.pause(); // reads nothing more: the kernel's buffers fill, then the server's
    const big = "x".repeat(10_000);
    for (let i = 0; i < 3_000 && h.changes.listeners.size > 0; i++) {
      h.changes.emit({ kind: "dag", dagId: `${big}${i}` });
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(h.changes.listeners.size).toBe(0);
    socket.resume();
    for (let i = 0; i < 200 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
    expect(closed).toBe(true);
  });

  it("needs credentials in required mode", async () => {
    const res = await h.app.inject("/api/v1/events");
    expect(res.statusCode).toBe(401);
    expect(h.changes.listeners.size).toBe(0);
  });
});
