import pino from "pino";
import { loadWorkerConfig, withholdWorkerToken, type WorkerOverrides } from "../../config/worker-config.js";
import type { Logger } from "../../core/ports/logger.js";
import { WorkerAgent } from "../../remote/worker/index.js";
import { batonVersion } from "../baton-version.js";

/**
 * `baton worker`: runs attempts of the given queues on this machine for the API server at
 * `--server` (docs/workers.md#running-a-worker). It opens no database and listens on no port.
 * SIGTERM/SIGINT drains it (running attempts get `--grace` seconds, then exit 0); a second
 * signal exits at once (130). A refused token exits 2 with the server's message.
 */
export async function worker(opts: WorkerOverrides): Promise<number> {
  const config = loadWorkerConfig(opts);
  withholdWorkerToken();
  const logger = pino({ level: config.logLevel, base: undefined }, pino.destination(2)) as unknown as Logger;
  const agent = new WorkerAgent({
    server: config.server,
    token: config.token,
    queues: config.queues,
    concurrency: config.concurrency,
    prefetch: config.prefetch,
    name: config.name,
    cacheDir: config.cacheDir,
    graceMs: config.graceMs,
    version: batonVersion(),
    logger,
  });

  let signalled: ((signal: NodeJS.Signals) => void) | null = null;
  const signal = new Promise<NodeJS.Signals>((resolve) => (signalled = resolve));
  let stopping = false;
  const onSignal = (name: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write("Forced exit.\n");
      process.exit(130);
    }
    stopping = true;
    signalled?.(name);
  };
  const onTerm = () => onSignal("SIGTERM");
  const onInt = () => onSignal("SIGINT");
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onInt);
  try {
    await agent.start();
    process.stdout.write(
      `Baton worker is running (no database: it takes work from the API server).\n` +
        `  Server:      ${config.server}\n` +
        `  Queues:      ${config.queues.join(", ")}\n` +
        `  Concurrency: ${config.concurrency} process(es), holding up to ${config.prefetch} attempt(s)\n` +
        `  Name:        ${config.name} (worker id ${agent.workerId})\n` +
        `  Cache:       ${config.cacheDir}\n` +
        `Press Ctrl+C to stop.\n`,
    );
    const first = await Promise.race([signal, agent.done.then(() => null)]);
    if (first !== null) {
      process.stdout.write(`Received ${first}: draining (running tasks get ${config.graceMs / 1000}s to finish)…\n`);
      await agent.drain();
      process.stdout.write("Baton worker stopped.\n");
    }
    return 0;
  } finally {
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
  }
}
