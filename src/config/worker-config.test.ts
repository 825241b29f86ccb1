import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../core/errors.js";
import { loadWorkerConfig, withholdWorkerToken } from "./worker-config.js";

const TOKEN = "batonw_0123456789ab_s3cret";

describe("loadWorkerConfig (baton worker)", () => {
  it("reads the environment; flags win; defaults", () => {
    const env = { BATON_SERVER: "https://baton.example.com/", BATON_WORKER_TOKEN: TOKEN, BATON_QUEUES: "gpu, default,gpu", BATON_WORKER_CONCURRENCY: "3" };
    const c = loadWorkerConfig({}, env);
    expect(c).toMatchObject({
      server: "https://baton.example.com",
      queues: ["gpu", "default"],
      concurrency: 3,
      prefetch: 12,
      graceMs: 30_000,
      home: join(homedir(), ".baton"),
      cacheDir: join(homedir(), ".baton", "worker-cache"),
    });
    expect(c.token.reveal()).toBe(TOKEN);
    expect(JSON.stringify(c)).not.toContain("s3cret");
    const f = loadWorkerConfig({ server: "http://10.0.0.1:8080", queues: "etl", concurrency: "2", grace: "1.5", name: "box-1", home: "/var/lib/baton" }, env);
    expect(f).toMatchObject({
      server: "http://10.0.0.1:8080",
      queues: ["etl"],
      concurrency: 2,
      graceMs: 1_500,
      name: "box-1",
      cacheDir: "/var/lib/baton/worker-cache",
    });
    expect(loadWorkerConfig({}, { ...env, BATON_WORKER_PREFETCH: "5" }).prefetch).toBe(5);
    expect(loadWorkerConfig({ prefetch: "7" }, { ...env, BATON_WORKER_PREFETCH: "5" }).prefetch).toBe(7);
    expect(f.prefetch).toBe(8); // 4 × the flag's concurrency
    expect(loadWorkerConfig({ cacheDir: "/tmp/wc" }, { ...env, BATON_HOME: "/srv/baton" })).toMatchObject({ home: "/srv/baton", cacheDir: "/tmp/wc" });
    expect(loadWorkerConfig({}, { ...env, BATON_HOME: "/srv/baton" }).cacheDir).toBe("/srv/baton/worker-cache");
  });

  it("missing or wrong values: InvalidInputError naming the flag and the variable", () => {
    const env = { BATON_SERVER: "https://b.example.com", BATON_WORKER_TOKEN: TOKEN };
    const fails = (o: object, e: Record<string, string>, message: string | RegExp) =>
      expect(() => loadWorkerConfig(o, e)).toThrow(message instanceof RegExp ? message : new InvalidInputError(message));
    fails({}, { BATON_WORKER_TOKEN: TOKEN }, "the API server is missing: pass --server <url> or set BATON_SERVER (e.g. https://baton.example.com)");
    fails(
      {},
      { BATON_SERVER: "https://b.example.com" },
      "the worker token is missing: pass --token <token> or set BATON_WORKER_TOKEN (create one with `baton tokens create --worker`)",
    );
    fails({ server: "ftp://b" }, env, /--server must be an http\(s\) URL/);
    fails({ queues: "ok,not ok" }, env, /queue name "not ok" is invalid/);
    fails({ concurrency: "0" }, env, /--concurrency \(BATON_WORKER_CONCURRENCY\) must be a whole number of at least 1, got "0"/);
    fails({ prefetch: "0" }, env, /--prefetch \(BATON_WORKER_PREFETCH\) must be a whole number of at least 1, got "0"/);
    fails({}, { ...env, BATON_WORKER_PREFETCH: "2.5" }, /--prefetch \(BATON_WORKER_PREFETCH\) must be a whole number of at least 1, got "2.5"/);
    fails({ grace: "-1" }, env, /--grace must be a number of seconds/);
  });

  it("withholdWorkerToken keeps the token from the processes the worker starts", () => {
    const env: NodeJS.ProcessEnv = { BATON_WORKER_TOKEN: TOKEN, OTHER: "x" };
    withholdWorkerToken(env);
    expect(env).toEqual({ OTHER: "x" });
  });
});
