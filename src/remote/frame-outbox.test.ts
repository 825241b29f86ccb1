import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { FrameOutbox } from "./frame-outbox.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A real WebSocket pair on 127.0.0.1: the server's end, and what the client receives (text frames, in order). */
async function pair(): Promise<{ server: WebSocket; received: string[] }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => wss.once("listening", resolve));
  closers.push(() => new Promise((resolve) => wss.close(() => resolve())));
  const accepted = new Promise<WebSocket>((resolve) => wss.once("connection", resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const received: string[] = [];
  client.on("message", (data) => received.push(String(data)));
  await new Promise((resolve) => client.once("open", resolve));
  closers.push(async () => client.close());
  return { server: await accepted, received };
}

/** Counts the writes the TCP socket under `ws` makes (writev of corked chunks counts once). */
function countWrites(ws: WebSocket): () => number {
  const raw = (ws as unknown as { _socket: { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void } })._socket;
  let writes = 0;
  for (const name of ["_write", "_writev"] as const) {
    const original = raw[name].bind(raw);
    raw[name] = (...args: unknown[]) => {
      writes++;
      original(...args);
    };
  }
  return () => writes;
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("FrameOutbox", () => {
  it("writes the frames queued in one turn at the end of it, in order, one frame each, in one write to the socket", async () => {
    const { server, received } = await pair();
    const writes = countWrites(server);
    const outbox = new FrameOutbox(server);
    outbox.push('{"t":"ack","ids":["a1"]}');
    outbox.push('{"t":"run","attempts":[]}');
    outbox.push('{"t":"drop","ids":["a2"],"reason":"x"}');
    expect(writes()).toBe(0); // nothing before the turn ends
    expect(outbox.size).toBe(3);
    await until(() => received.length === 3);
    expect(received).toEqual(['{"t":"ack","ids":["a1"]}', '{"t":"run","attempts":[]}', '{"t":"drop","ids":["a2"],"reason":"x"}']);
    expect(writes()).toBe(1);

    // The next turn's frames are a write of their own; onFlush adds its frame last.
    outbox.onFlush = () => {
      if (outbox.size > 0) outbox.push('{"t":"ack","ids":["late"]}');
    };
    outbox.push('{"t":"recall","ids":["b"]}');
    await until(() => received.length === 5);
    expect(received.slice(3)).toEqual(['{"t":"recall","ids":["b"]}', '{"t":"ack","ids":["late"]}']);
    expect(writes()).toBe(2);
  });

  it("flush() writes at once; frames for a socket that closed are dropped, not thrown", async () => {
    const { server, received } = await pair();
    const outbox = new FrameOutbox(server);
    outbox.push('{"t":"a"}');
    outbox.flush();
    await until(() => received.length === 1);
    server.terminate();
    outbox.push('{"t":"b"}');
    expect(() => outbox.flush()).not.toThrow();
    expect(outbox.size).toBe(0);
  });
});
