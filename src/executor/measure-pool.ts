/**
 * Measures the process pool with no-op tasks: round trip per attempt (one at a time, as in a
 * chain) and attempts/s (all submitted at once, and with only `capacity` in flight, as a
 * scheduler that respects capacity does). Executor only: no scheduler, no store.
 *
 *   npx tsc -p tsconfig.build.json && node dist/src/executor/measure-pool.js [processes] [attempts]
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AttemptReport } from "../core/ports/executor.js";
import { LocalProcessExecutor } from "./local-process-executor.js";
import { makeRequest, tempDir, writeDagModule } from "./testing/dag-fixtures.js";

export interface PoolFigures {
  processes: number;
  prefetch: number;
  roundTripUs: { mean: number; p50: number; p99: number };
  burstPerSecond: number;
  windowedPerSecond: number;
}

export async function measurePool(options: { processes?: number; prefetch?: number; attempts?: number } = {}): Promise<PoolFigures> {
  const processes = options.processes ?? 2;
  const prefetch = options.prefetch ?? 4;
  const attempts = options.attempts ?? 2_000;
  const dir = tempDir("baton-measure-");
  const bundlePath = writeDagModule(dir, "d", `{ noop: { kind: "function", async run() {} } }`);
  const waiters = new Map<string, (r: AttemptReport) => void>();
  const executor = new LocalProcessExecutor({ processes, prefetch });
  await executor.start({ started() {}, finished: (r) => waiters.get(r.attemptId)?.(r) });
  const request = () => makeRequest({ bundlePath, logDir: `${dir}/logs`, taskId: "noop" });
  const runOne = (): Promise<AttemptReport> => {
    const r = request();
    const done = new Promise<AttemptReport>((resolve) => waiters.set(r.attemptId, resolve));
    executor.submit(r);
    return done;
  };
  try {
    for (let i = 0; i < 200; i++) await runOne(); // warm up: module cache, JIT

    const samples: number[] = [];
    for (let i = 0; i < attempts; i++) {
      const t = process.hrtime.bigint();
      await runOne();
      samples.push(Number(process.hrtime.bigint() - t) / 1_000);
    }
    samples.sort((a, b) => a - b);
    const roundTripUs = {
      mean: Math.round(samples.reduce((a, b) => a + b, 0) / samples.length),
      p50: Math.round(samples[Math.floor(samples.length / 2)]!),
      p99: Math.round(samples[Math.floor(samples.length * 0.99)]!),
    };

    let t = performance.now();
    await Promise.all(Array.from({ length: attempts }, runOne));
    const burstPerSecond = Math.round((attempts / (performance.now() - t)) * 1_000);

    t = performance.now();
    let submitted = 0;
    await new Promise<void>((resolve) => {
      let finished = 0;
      const next = (): void => {
        if (submitted >= attempts) return;
        submitted++;
        void runOne().then(() => {
          if (++finished === attempts) resolve();
          else next();
        });
      };
      for (let i = 0; i < executor.capacity; i++) next();
    });
    const windowedPerSecond = Math.round((attempts / (performance.now() - t)) * 1_000);
    return { processes, prefetch, roundTripUs, burstPerSecond, windowedPerSecond };
  } finally {
    await executor.shutdown(1_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const processes = Number(process.argv[2] ?? 2);
  const attempts = Number(process.argv[3] ?? 5_000);
  for (const prefetch of [1, 4]) console.log(JSON.stringify(await measurePool({ processes, prefetch, attempts })));
}
