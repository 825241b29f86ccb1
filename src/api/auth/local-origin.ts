import type { FastifyRequest } from "fastify";
import { isLoopbackAddress } from "./loopback-address.js";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The host name of a `Host` header without its port ("[::1]:8080" → "[::1]"). */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  return h.split(":")[0] ?? "";
}

/**
 * Whether an anonymous request may act as the local admin.
 * - The connection must come from this machine: its socket's peer address is loopback. Headers
 *   cannot make a remote peer local (any client sets `Host` or `X-Forwarded-For`), and a request
 *   carrying `X-Forwarded-For`/`Forwarded` came through a proxy on someone else's behalf.
 * Browsers on this machine are the other threat: any web page can send requests to 127.0.0.1, so
 * - the Host must be a loopback name (a DNS-rebound page arrives with the attacker's host name);
 * - a state-changing request that carries an `Origin` must come from this very origin (a
 *   cross-site `fetch(…, { method: "POST", mode: "no-cors" })` needs no preflight).
 * CLI and scripts send no `Origin` and are unaffected.
 */
export function checkLocalRequest(request: FastifyRequest, safeMethod: boolean): "ok" | "remote_peer" | "bad_host" | "cross_origin" {
  if (!isLoopbackAddress(request.socket.remoteAddress)) return "remote_peer";
  if (request.headers["x-forwarded-for"] !== undefined || request.headers.forwarded !== undefined) return "remote_peer";
  const host = request.headers.host ?? "";
  if (!LOOPBACK_HOSTS.has(hostName(host))) return "bad_host";
  if (safeMethod) return "ok";
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) return "cross_origin";
  const site = request.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") return "cross_origin";
  return "ok";
}
