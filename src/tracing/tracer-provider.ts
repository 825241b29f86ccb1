import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { Resource } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, type IdGenerator, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { TracingConfig } from "../config/tracing-config.js";

/**
 * A tracer provider exporting through a BatchSpanProcessor per configured exporter (batch size
 * and delay from the standard OTEL_BSP_* variables): spans are queued in memory and sent by the
 * SDK in the background, never on the caller's path. OTLP goes over HTTP as JSON.
 */
export function newTracerProvider(config: TracingConfig, idGenerator?: IdGenerator): BasicTracerProvider {
  const resource = new Resource({ ...config.resourceAttributes, [ATTR_SERVICE_NAME]: config.serviceName });
  return new BasicTracerProvider({
    resource,
    ...(idGenerator ? { idGenerator } : {}),
    spanProcessors: config.exporters.map((kind) => new BatchSpanProcessor(exporterOf(kind, config))),
  });
}

function exporterOf(kind: TracingConfig["exporters"][number], config: TracingConfig): SpanExporter {
  if (kind === "console") return new ConsoleSpanExporter();
  return new OTLPTraceExporter({ url: config.otlpUrl, headers: config.otlpHeaders });
}
