import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { EpochMs } from "../../core/model/records.js";
import type { WorkerTokenRecord } from "../../core/model/workers.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";
import { verifyWorkerToken } from "../../api/auth/worker-token.js";

const NO_TOKEN = 'a worker token is required: send "Authorization: Bearer batonw_…" (create one with `baton tokens create --worker`)';
const BAD_TOKEN = "invalid worker token: unknown, revoked, or not a worker token (a user's API token cannot connect a worker)";

/**
 * The worker token of a request to the worker endpoints (`Authorization: Bearer batonw_…`), or
 * why it is refused. Only worker tokens pass: a user's API token or session is refused here,
 * and a worker token is refused by the rest of the API (it is not an API token).
 */
export async function authenticateWorker(
  store: WorkerStore,
  authorization: string | undefined,
  now: EpochMs,
): Promise<{ token: WorkerTokenRecord } | { error: string }> {
  if (authorization === undefined) return { error: NO_TOKEN };
  const bearer = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
  if (bearer === undefined) return { error: NO_TOKEN };
  const token = await verifyWorkerToken(store, bearer, now);
  return token === null ? { error: BAD_TOKEN } : { token };
}

/** The API's error body for a failed worker authentication. */
export function unauthorizedBody(message: string): { error: { code: "unauthorized"; message: string } } {
  return { error: { code: "unauthorized", message } };
}

/** Answers an upgrade request with a plain HTTP error (JSON body, as the API's) and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, body: object): void {
  if (socket.destroyed) return;
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n` +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      "Connection: close\r\n\r\n" +
      text,
  );
}
