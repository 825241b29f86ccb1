import type { FastifyRequest } from "fastify";
import { isSensitiveKey, MASK } from "../core/secrets/sensitive-keys.js";

/**
 * A request URL fit for the log: the value of every query parameter whose name names a secret
 * (`token`, `password`, `api_key`, `secret` … see isSensitiveKey) becomes `***`.
 *
 * @example
 * redactUrl("/api/v1/x?token=abc&dagId=etl") // "/api/v1/x?token=***&dagId=etl"
 */
export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replaceAll("+", " "));
      } catch {
        // a malformed escape: judge the raw name
      }
      return eq >= 0 && isSensitiveKey(name) ? `${rawName}=${MASK}` : pair;
    });
  return `${url.slice(0, q)}?${params.join("&")}`;
}

/**
 * The request as the server log shows it (Fastify's default fields, with the URL's secrets
 * masked). Headers and bodies are not logged; the logger's `redact` paths cover them anyway.
 */
export function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
