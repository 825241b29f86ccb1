import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { LineageTransportConfig } from "../config/lineage-config.js";
import type { Logger } from "../core/ports/logger.js";
import type { RunEvent } from "./openlineage-types.js";

/** Sends one event; rejects when it was not delivered (the emitter retries HTTP, then drops). */
export interface LineageTransport {
  readonly kind: "http" | "file" | "console";
  send(event: RunEvent): Promise<void>;
}

/** The transport a configuration names. */
export function openTransport(config: LineageTransportConfig, logger: Logger): LineageTransport {
  switch (config.type) {
    case "http":
      return httpTransport(config);
    case "file":
      return fileTransport(config.path);
    case "console":
      return { kind: "console", send: async (event) => logger.info({ openlineage: event }, "OpenLineage event") };
  }
}

/**
 * POSTs each event as JSON to `${url}/${endpoint}` (Marquez: /api/v1/lineage), with
 * `Authorization: Bearer <api key>` when a key is set; anything but 2xx is a failure.
 */
export function httpTransport(config: Extract<LineageTransportConfig, { type: "http" }>): LineageTransport {
  const target = `${config.url.replace(/\/+$/, "")}/${config.endpoint.replace(/^\/+/, "")}`;
  return {
    kind: "http",
    async send(event) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (config.apiKey !== null) headers.authorization = `Bearer ${config.apiKey.reveal()}`;
      const res = await fetch(target, { method: "POST", headers, body: JSON.stringify(event), signal: AbortSignal.timeout(config.timeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`HTTP ${res.status} from the lineage endpoint`);
    },
  };
}

/** Appends each event as one JSON line to `path` (its folder is created). */
export function fileTransport(path: string): LineageTransport {
  let ready: Promise<unknown> | null = null;
  return {
    kind: "file",
    async send(event) {
      ready ??= mkdir(dirname(path), { recursive: true });
      await ready;
      await appendFile(path, `${JSON.stringify(event)}\n`, "utf8");
    },
  };
}
