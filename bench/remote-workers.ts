import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { dirname, join, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import Fastify from "fastify";
import { createWorkerToken } from "../src/api/auth/worker-token.js";
import { systemClock } from "../src/core/ports/clock.js";
import type { Executor } from "../src/core/ports/executor.js";
import { silentLogger } from "../src/core/ports/logger.js";
import { InProcessRemoteSignal } from "../src/core/ports/remote-signal.js";
import { SDK_ENTRY } from "../src/dag-processor/bundle-dag-file.js";
import { WorkerHub } from "../src/remote/hub/worker-hub.js";
import { RemoteExecutor } from "../src/remote/remote-executor.js";
import { RoutingExecutor } from "../src/remote/routing-executor.js";
import type { FullStore } from "../src/store/index.js";

/** bin/baton.js of this checkout (the bench runs from dist/bench/). */
const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "baton.js");

export interface RemoteWorkersSetup {
  /** Routes every attempt to the remote workers (no local pool), through the mailbox and the hub. */
  executor: Executor;
  workers: number;
  concurrency: number;
  close(): Promise<void>;
}

/**
 * `--remote-workers N`: what a standalone with `--workers 0` does, in the bench's process — the
 * scheduler's RemoteExecutor and the API server's WorkerHub (a Fastify server on 127.0.0.1),
 * meeting in the store's remote-attempts mailbox — and N real `baton worker` processes
 * (`--concurrency C` each) connected over WebSocket with a worker token.
 */
export async function startRemoteWorkers(
  store: FullStore,
  opts: { workers: number; concurrency: number; root: string; bundleDir: string },
): Promise<RemoteWorkersSetup> {
  const signal = new InProcessRemoteSignal();
  const hub = new WorkerHub({
    store: store.workers,
    signal,
    clock: systemClock,
    logger: silentLogger,
    secrets: null,
    dagRuns: null,
    sdkRoot: pathToFileURL(dirname(dirname(SDK_ENTRY)) + sep).href,
    version: "bench",
    lostAfterMs: 10_000,
    heartbeatMs: 2_000,
    bundlesDir: opts.bundleDir,
  });
  const app = Fastify();
  hub.attach(app);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const { token } = await createWorkerToken(store.workers, { name: "bench", queues: null, createdBy: null }, Date.now());
  const procs: ChildProcess[] = [];
  for (let i = 0; i < opts.workers; i++) {
    const args = [
      BIN,
      "worker",
      "--server",
      `http://127.0.0.1:${port}`,
      "--queues",
      "default",
      "--concurrency",
      String(opts.concurrency),
      "--name",
      `bench-${i}`,
      "--cache-dir",
      join(opts.root, `worker-${i}`),
    ];
    const p = spawn(process.execPath, args, {
      env: { ...process.env, BATON_WORKER_TOKEN: token, BATON_LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    procs.push(p);
  }
  const deadline = Date.now() + 30_000;
  while ((await store.workers.listWorkers(Date.now())).filter((w) => w.state === "active").length < opts.workers) {
    if (Date.now() > deadline) throw new Error(`${opts.workers} baton worker processes did not connect within 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const remote = new RemoteExecutor({
    mailbox: store.workers,
    signal,
    schedulerId: `bench:${process.pid}:${randomUUID().slice(0, 8)}`,
    clock: systemClock,
    logger: silentLogger,
    window: 1_000,
  });
  return {
    executor: new RoutingExecutor({ local: null, remote }),
    workers: opts.workers,
    concurrency: opts.concurrency,
    async close() {
      for (const p of procs) p.kill("SIGTERM");
      await Promise.all(procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once("exit", r)) : undefined)));
      await app.close(); // closes the hub too
      await signal.close();
    },
  };
}
