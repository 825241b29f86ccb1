import { InvalidInputError } from "../core/errors.js";

/** Where finished spans go: OTLP/HTTP (JSON) or standard output. */
/** The OpenTelemetry SDK packages tracing needs: optional peer dependencies of the package, loaded only when tracing is on. */
export const TRACING_PACKAGES = [
  "@opentelemetry/api",
  "@opentelemetry/sdk-trace-base",
  "@opentelemetry/exporter-trace-otlp-http",
  "@opentelemetry/resources",
  "@opentelemetry/core",
  "@opentelemetry/semantic-conventions",
] as const;

export type TracesExporterKind = "otlp" | "console";

/**
 * OpenTelemetry tracing, from the standard `OTEL_*` variables (docs/tracing.md). Tracing is off
 * unless `OTEL_TRACES_EXPORTER` names an exporter or an OTLP endpoint is set; `OTEL_SDK_DISABLED=true`
 * turns it off whatever else is set.
 */
export interface TracingConfig {
  /** At least one. */
  exporters: TracesExporterKind[];
  /** OTEL_SERVICE_NAME, else `service.name` of OTEL_RESOURCE_ATTRIBUTES, else "baton". */
  serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES, `key=value` pairs. */
  resourceAttributes: Record<string, string>;
  /** The traces URL: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`. */
  otlpUrl: string;
  /** OTEL_EXPORTER_OTLP_HEADERS, then OTEL_EXPORTER_OTLP_TRACES_HEADERS over it. Secret: never logged. */
  otlpHeaders: Record<string, string>;
}

const DEFAULT_OTLP_BASE = "http://localhost:4318";
const EXPORTERS = ["otlp", "console", "none"] as const;

/** The tracing configuration, or null when tracing is off (the default). Throws InvalidInputError on a bad value. */
export function loadTracingConfig(env: NodeJS.ProcessEnv = process.env): TracingConfig | null {
  if (value(env, "OTEL_SDK_DISABLED")?.toLowerCase() === "true") return null;
  const tracesEndpoint = value(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const endpoint = value(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  const exporters = exportersFrom(value(env, "OTEL_TRACES_EXPORTER"), tracesEndpoint !== undefined || endpoint !== undefined);
  if (exporters.length === 0) return null;
  const resourceAttributes = pairs(env, "OTEL_RESOURCE_ATTRIBUTES");
  const otlpUrl = tracesEndpoint ?? `${(endpoint ?? DEFAULT_OTLP_BASE).replace(/\/+$/, "")}/v1/traces`;
  if (exporters.includes("otlp")) checkUrl(otlpUrl, tracesEndpoint !== undefined ? "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" : "OTEL_EXPORTER_OTLP_ENDPOINT");
  return {
    exporters,
    serviceName: value(env, "OTEL_SERVICE_NAME") ?? resourceAttributes["service.name"] ?? "baton",
    resourceAttributes,
    otlpUrl,
    otlpHeaders: { ...pairs(env, "OTEL_EXPORTER_OTLP_HEADERS"), ...pairs(env, "OTEL_EXPORTER_OTLP_TRACES_HEADERS") },
  };
}

/** Unset: `otlp` when an endpoint is set, else none. `none` (alone) turns tracing off. */
function exportersFrom(raw: string | undefined, endpointSet: boolean): TracesExporterKind[] {
  if (raw === undefined) return endpointSet ? ["otlp"] : [];
  const names = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const out: TracesExporterKind[] = [];
  for (const name of names) {
    if (!(EXPORTERS as readonly string[]).includes(name)) {
      throw new InvalidInputError(`OTEL_TRACES_EXPORTER must be a comma-separated list of ${EXPORTERS.join(", ")}; got "${name}"`);
    }
    if (name !== "none" && !out.includes(name as TracesExporterKind)) out.push(name as TracesExporterKind);
  }
  return out;
}

function checkUrl(url: string, key: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInputError(`${key} must be an http:// or https:// URL; got "${url}"`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new InvalidInputError(`${key} must be an http:// or https:// URL; got a ${parsed.protocol} URL`);
  }
}

function value(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const raw = env[key]?.trim();
  return raw === undefined || raw === "" ? undefined : raw;
}

/** `k1=v1,k2=v2`, percent-decoded (the W3C Baggage form the OTel specification uses). Values are not echoed in errors (headers hold keys). */
function pairs(env: NodeJS.ProcessEnv, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = value(env, key);
  if (raw === undefined) return out;
  for (const item of raw.split(",")) {
    if (item.trim() === "") continue;
    const eq = item.indexOf("=");
    const k = eq < 0 ? "" : decode(item.slice(0, eq).trim(), key);
    if (k === "") throw new InvalidInputError(`${key} must be comma-separated key=value pairs; an item has no key`);
    out[k] = decode(item.slice(eq + 1).trim(), key);
  }
  return out;
}

function decode(text: string, key: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidInputError(`${key} holds an invalid percent-encoding`);
  }
}
