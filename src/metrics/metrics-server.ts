import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { MetricsExposition } from "../core/ports/metrics.js";

/** A started metrics listener: its URL and how to stop it. */
export interface MetricsServer {
  /** e.g. `http://127.0.0.1:9464/metrics`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (and `HEAD`) on a port of its own, with no authentication: nothing else
 * is served there (every other path answers 404), so it exposes only the metrics. Listen on an
 * address only Prometheus reaches (docs/metrics.md, "A separate port").
 */
export async function startMetricsServer(metrics: MetricsExposition, host: string, port: number): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found: this port serves GET /metrics only\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end("method not allowed: use GET\n");
      return;
    }
    metrics.render().then(
      (text) => res.writeHead(200, { "content-type": metrics.contentType, "cache-control": "no-store" }).end(req.method === "HEAD" ? undefined : text),
      (err: unknown) =>
        res
          .writeHead(500, { "content-type": "text/plain; charset=utf-8" })
          .end(`could not collect metrics: ${err instanceof Error ? err.message : String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/metrics`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
