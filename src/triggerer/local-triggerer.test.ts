import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FailTask } from "../core/errors.js";
import type { TriggerEvent } from "../core/ports/triggerer.js";
import type { TriggerSpec } from "../core/sensors/sensor-wait.js";
import { ManualClock } from "../core/testing/manual-clock.js";
import { runFor } from "../../test/support/manual-time.js";
import { LocalTriggerer } from "./local-triggerer.js";

const HOUR = 3_600_000;

function spec(kind: string, args: Record<string, unknown>, over: Partial<TriggerSpec> = {}): TriggerSpec {
  const timeoutMs = over.timeoutMs ?? 10_000;
  return {
    kind,
    args,
    pokeIntervalMs: 50,
    exponentialBackoff: false,
    maxWaitMs: null,
    timeoutMs,
    timeoutAt: Date.now() + timeoutMs,
    softFail: false,
    key: "d#t#k",
    ...over,
  };
}

/** Watches `s` and resolves with its one event. */
function waitFor(t: LocalTriggerer, key: string, s: TriggerSpec, pokes = 1): Promise<TriggerEvent> {
  return new Promise((resolve) => t.watch(key, s, pokes, resolve));
}

let dir: string;
let server: Server;
let base: string;
const seenAuth: (string | undefined)[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "baton-triggerer-"));
  let hits = 0;
  server = createServer((req, res) => {
    seenAuth.push(req.headers.authorization);
    if (req.url === "/denied") return void res.writeHead(401).end("no");
    if (req.url === "/third")
      return void (++hits >= 3 ? res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}') : res.writeHead(503).end());
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise((r) => server.close(r));
});

describe("LocalTriggerer", () => {
  it("checks a file glob until files land; the event carries the value and the poke count", async () => {
    const t = new LocalTriggerer();
    const event = waitFor(t, "a", spec("file", { pattern: `${dir}/landed/*.csv`, minCount: 1 }));
    setTimeout(() => (mkdirp(join(dir, "landed")), writeFileSync(join(dir, "landed", "x.csv"), "")), 200);
    const e = await event;
    expect(e).toMatchObject({ kind: "done", value: [join(dir, "landed", "x.csv")] });
    expect(e.pokes).toBeGreaterThan(2);
    expect(t.size).toBe(0);
  });

  it("checks a URL until an expected status; a 401 fails at once without retries; connections come from the secrets", async () => {
    const secrets = {
      connection: async (id: string) => ({
        id,
        type: "http",
        host: "127.0.0.1",
        port: Number(new URL(base).port),
        login: "etl",
        password: "s3cret",
        schema: null,
        extra: {},
      }),
      variable: async () => "",
    };
    const t = new LocalTriggerer({ secrets });
    const ok = await waitFor(t, "ok", spec("http", { conn: "api", path: "/third", requestTimeoutMs: 1000 }));
    expect(ok).toMatchObject({ kind: "done", value: { status: 200, body: { ok: true } } });
    expect(seenAuth.at(-1)).toBe(`Basic ${Buffer.from("etl:s3cret").toString("base64")}`);
    const denied = await waitFor(t, "no", spec("http", { url: `${base}/denied`, requestTimeoutMs: 1000 }));
    expect(denied).toMatchObject({ kind: "failed", retryable: false, error: expect.stringMatching(/returned 401, expected 2xx/) });
    const noSecrets = await waitFor(new LocalTriggerer(), "x", spec("http", { conn: "api", requestTimeoutMs: 1000 }));
    expect(noSecrets).toMatchObject({
      kind: "failed",
      retryable: false,
      error: expect.stringMatching(/connection "api": the triggerer has no secrets resolver/),
    });
  });

  it("runs a SQL check over a connection URI", async () => {
    const db = join(dir, "t.db");
    const t = new LocalTriggerer();
    const e = await waitFor(t, "q", spec("sql", { conn: `sqlite://${db}`, sql: "select 1 as ready, 'x' as tag" }));
    expect(e).toMatchObject({ kind: "done", value: { ready: 1, tag: "x" } });
  });

  it("checks a last time at the timeout, then ends as timed out with the last reason", async () => {
    const t = new LocalTriggerer();
    const started = Date.now();
    const e = await waitFor(t, "late", spec("file", { pattern: `${dir}/never/*.csv`, minCount: 1 }, { pokeIntervalMs: 100, timeoutMs: 450 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(440);
    expect(e.kind).toBe("timeout");
    expect((e as { message: string }).message).toMatch(
      /^timed out after \d+ms \(timeout 450ms, [5-7] pokes, deferred; last: 0 of 1 file\(s\) match .*never\/\*\.csv\)$/,
    );
  });

  it("honours exponential backoff between checks (whole seconds, as Airflow), on the clock it is given", async () => {
    const clock = new ManualClock(Date.parse("2099-01-01T00:00:00Z"));
    const at: number[] = [];
    const checks = { count: async () => (at.push(clock.now()), at.length >= 5 ? { done: true as const, value: at.length } : { done: false as const }) };
    const t = new LocalTriggerer({ checks, clock });
    const events: TriggerEvent[] = [];
    const s = spec("count", {}, { pokeIntervalMs: 4_000, exponentialBackoff: true, timeoutMs: HOUR, timeoutAt: clock.now() + HOUR });
    t.watch("b", s, 1, (e) => events.push(e));
    await runFor(clock, HOUR);
    expect(events).toEqual([{ kind: "done", value: 5, pokes: 6 }]);
    const gaps = [clock.now() - HOUR, ...at].slice(0, 6).map((x, i, all) => (i === 0 ? null : x - all[i - 1]!));
    // The checks are pokes 2 to 6 (the worker made poke 1 at the start); after poke n the wait is
    // m + sha1("d#t#k#n") mod m seconds, m = max(1, int(4 s × 2^(n−2))): 2, 4, 8, 16, 32 s.
    const sha = (n: number) => BigInt(`0x${createHash("sha1").update(`d#t#k#${n}`).digest("hex")}`);
    const expected = [1, 2, 3, 4, 5].map((n) => {
      const m = Math.max(1, Math.floor(4 * 2 ** (n - 2)));
      return (m + Number(sha(n) % BigInt(m))) * 1000;
    });
    expect(gaps.slice(1)).toEqual(expected);
    await t.close();
  });

  it("gives each check its own timeout, and a thrown error ends the wait (FailTask: not retryable)", async () => {
    const checks = {
      hang: () => new Promise<never>(() => {}),
      broken: async () => Promise.reject(new Error("disk on fire")),
      refused: async () => Promise.reject(new FailTask("bad target")),
    };
    const t = new LocalTriggerer({ checks, checkTimeoutMs: 100 });
    const hang = await waitFor(t, "h", spec("hang", {}, { timeoutMs: 300 }));
    expect(hang).toMatchObject({ kind: "timeout", message: expect.stringMatching(/last: check \d+ still running after 100ms/) });
    expect(await waitFor(t, "b", spec("broken", {}))).toMatchObject({ kind: "failed", error: "disk on fire", retryable: true });
    expect(await waitFor(t, "r", spec("refused", {}))).toMatchObject({ kind: "failed", error: "bad target", retryable: false });
    expect(await waitFor(t, "u", spec("nope", {}))).toMatchObject({
      kind: "failed",
      retryable: false,
      error: expect.stringMatching(/no check "nope"; known checks: hang, broken, refused/),
    });
  });

  it("a cancelled watch sends no event; close() ends every watch", async () => {
    const t = new LocalTriggerer();
    const events: TriggerEvent[] = [];
    t.watch("c", spec("date_time", { target: new Date(Date.now() + 200).toISOString() }), 1, (e) => events.push(e));
    t.watch("d", spec("date_time", { target: new Date(Date.now() + 200).toISOString() }), 1, (e) => events.push(e));
    expect(t.size).toBe(2);
    t.cancel("c");
    t.cancel("unknown");
    await t.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toEqual([]);
    expect(t.size).toBe(0);
  });

  it("holds 500 waits at once with a few checks at a time; date-time waits wake at their target", async () => {
    const t = new LocalTriggerer({ maxConcurrentChecks: 8 });
    const started = Date.now();
    const targets = Array.from({ length: 500 }, (_, i) => started + 200 + (i % 50) * 10);
    const events = Promise.all(
      targets.map((at, i) => {
        const s = spec("date_time", { target: new Date(at).toISOString() }, { pokeIntervalMs: 60_000, notBefore: at });
        return waitFor(t, `w${i}`, s).then((e) => ({ e, late: Date.now() - at }));
      }),
    );
    expect(t.size).toBe(500);
    const done = await events;
    expect(done.every(({ e }) => e.kind === "done")).toBe(true);
    // With a 60 s poke interval, only the target (notBefore) can have woken them this soon.
    expect(Math.max(...done.map((d) => d.late))).toBeLessThan(2_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

function mkdirp(path: string): void {
  mkdirSync(path, { recursive: true });
}
