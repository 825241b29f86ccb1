import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../core/errors.js";
import { loadTracingConfig } from "./tracing-config.js";

describe("loadTracingConfig (the standard OTEL_* variables)", () => {
  it("is off when nothing is set, when only the service name is set, and when OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none", () => {
    expect(loadTracingConfig({})).toBeNull();
    expect(loadTracingConfig({ OTEL_SERVICE_NAME: "etl", OTEL_EXPORTER_OTLP_ENDPOINT: "" })).toBeNull();
    expect(loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "TRUE" })).toBeNull();
    expect(loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_TRACES_EXPORTER: "none" })).toBeNull();
  });

  it("an OTLP endpoint turns OTLP export on; the traces endpoint is used as is, the base one gets /v1/traces", () => {
    expect(loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" })).toEqual({
      exporters: ["otlp"],
      serviceName: "baton",
      resourceAttributes: {},
      otlpUrl: "http://collector:4318/v1/traces",
      otlpHeaders: {},
    });
    expect(
      loadTracingConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://x.example/otlp/traces", OTEL_EXPORTER_OTLP_ENDPOINT: "http://ignored:4318" })?.otlpUrl,
    ).toBe("https://x.example/otlp/traces");
  });

  it("OTEL_TRACES_EXPORTER=otlp alone exports to http://localhost:4318/v1/traces; console and lists are accepted", () => {
    expect(loadTracingConfig({ OTEL_TRACES_EXPORTER: "otlp" })?.otlpUrl).toBe("http://localhost:4318/v1/traces");
    expect(loadTracingConfig({ OTEL_TRACES_EXPORTER: "console" })?.exporters).toEqual(["console"]);
    expect(loadTracingConfig({ OTEL_TRACES_EXPORTER: " otlp , console,otlp" })?.exporters).toEqual(["otlp", "console"]);
  });

  it("reads headers (traces-specific over general, percent-decoded), the service name and resource attributes", () => {
    const config = loadTracingConfig({
      OTEL_TRACES_EXPORTER: "otlp",
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20abc,x-a=1",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-a=2",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=prod,service.name=from-resource",
    });
    expect(config?.otlpHeaders).toEqual({ authorization: "Bearer abc", "x-a": "2" });
    expect(config?.serviceName).toBe("from-resource");
    expect(config?.resourceAttributes).toEqual({ "deployment.environment": "prod", "service.name": "from-resource" });
    expect(loadTracingConfig({ OTEL_TRACES_EXPORTER: "otlp", OTEL_SERVICE_NAME: "etl", OTEL_RESOURCE_ATTRIBUTES: "service.name=x" })?.serviceName).toBe("etl");
  });

  it("refuses unknown exporters, non-HTTP endpoints and malformed pairs, without echoing header values", () => {
    expect(() => loadTracingConfig({ OTEL_TRACES_EXPORTER: "jaeger" })).toThrow(InvalidInputError);
    expect(() => loadTracingConfig({ OTEL_TRACES_EXPORTER: "jaeger" })).toThrow('got "jaeger"');
    expect(() => loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "grpc://collector:4317" })).toThrow(
      "OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL",
    );
    expect(() => loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(InvalidInputError);
    let message = "";
    try {
      loadTracingConfig({ OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_HEADERS: "authorization=%E0%A4%Asecret" });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe("OTEL_EXPORTER_OTLP_HEADERS holds an invalid percent-encoding");
    expect(() => loadTracingConfig({ OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_HEADERS: "novalue" })).toThrow("an item has no key");
  });
});
