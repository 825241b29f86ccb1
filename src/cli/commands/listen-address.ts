import type { FastifyInstance } from "fastify";
import { isLoopbackHost } from "../../api/auth/index.js";
import { InvalidInputError } from "../../core/errors.js";

/**
 * Local mode lets every request without credentials act as admin, so it may listen only where
 * nobody but this machine connects. (Requests are also checked one by one, by their peer address.)
 */
export function refuseLocalModeOffLoopback(host: string, mode: "local" | "required"): void {
  if (mode === "required" || isLoopbackHost(host)) return;
  throw new InvalidInputError(
    `--host/BATON_API_HOST ${host} is not a loopback address, and local mode lets every request without credentials act as admin. ` +
      `To listen on the network, add --auth required (or set BATON_AUTH=required); otherwise listen on 127.0.0.1.`,
  );
}

/** The URLs the server really listens on, e.g. `http://127.0.0.1:8080`, `http://0.0.0.0:8080 (every interface)`. */
export function listeningUrls(app: FastifyInstance): string[] {
  return app.addresses().map((a) => {
    if (typeof a === "string") return a; // a pipe or socket path
    const { address, family, port } = a;
    const host = family === "IPv6" ? `[${address}]` : address;
    const every = address === "0.0.0.0" || address === "::" ? " (every interface)" : "";
    return `http://${host}:${port}${every}`;
  });
}
