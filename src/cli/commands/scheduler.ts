import { openRuntime, type CommonOptions } from "../runtime.js";
import { redactDatabaseUrl, startSchedulerParts, untilSignalled, workersBanner } from "../scheduler-parts.js";
import { metricsBanner, serveMetricsPort } from "./metrics-port.js";

/**
 * `baton scheduler`: the scheduler without the API — the DAG folder watcher, the scheduler, its
 * triggerer and event triggers, and a pool of warm worker processes — on the database
 * BATON_DATABASE_URL names. It listens on no port: `baton api` serves the same database. On
 * SQLite it refuses to start (exit 2) while another scheduler is alive on the file.
 */
export async function scheduler(opts: CommonOptions): Promise<number> {
  const rt = await openRuntime(opts, { quiet: false });
  const { config } = rt;
  let parts;
  try {
    parts = await startSchedulerParts(rt);
  } catch (error) {
    await rt.close();
    throw error;
  }
  const first = parts.firstSync;
  const metricsPort = await serveMetricsPort(config, parts.metrics).catch(async (error: unknown) => {
    await parts.stop(0);
    await rt.close();
    throw error;
  });
  process.stdout.write(
    `Baton scheduler is running (no API: serve this database with \`baton api\`).\n` +
      `  DAGs folder: ${config.dagsDir} (${first.dagIds.length} DAG(s) loaded, ${first.errors.length} file error(s))\n` +
      `  Database:    ${redactDatabaseUrl(config.databaseUrl)}\n` +
      `  Logs:        ${config.logsDir}\n` +
      `  Workers:     ${workersBanner(config.workers)}\n` +
      metricsBanner(metricsPort, null) +
      `Press Ctrl+C to stop.\n`,
  );
  for (const e of first.errors) process.stderr.write(`DAG file error: ${e.file}${e.line ? `:${e.line}` : ""}: ${e.message}\n`);
  return untilSignalled(async (signal) => {
    process.stdout.write(`Received ${signal}: stopping (running tasks get ${config.shutdownGraceMs / 1000}s to finish)…\n`);
    await metricsPort?.close();
    await parts.stop(config.shutdownGraceMs);
    await rt.close();
  });
}
