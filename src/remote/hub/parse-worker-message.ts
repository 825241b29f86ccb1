import { QUEUE_NAME, type WorkerTokenRecord } from "../../core/model/workers.js";
import { WORKER_PROTOCOL_VERSION, type FinishedReport, type WorkerMessage } from "../protocol.js";

export type HelloMessage = Extract<WorkerMessage, { t: "hello" }>;

/** Most attempts one worker may say it runs at once. */
export const MAX_CONCURRENCY = 1024;
/** Most attempts one worker may say it holds at once (`prefetch`). */
export const MAX_PREFETCH = 65_536;

/**
 * Reads one text frame from a worker. Returns the message, null for a message type this server
 * does not know (a newer worker; ignored), or an error naming what is wrong (the server refuses
 * the connection: a worker that sends malformed messages is broken, not slow).
 */
export function parseWorkerMessage(text: string): { message: WorkerMessage } | { unknown: string } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: "a message is not JSON" };
  }
  if (!isObject(value) || typeof value.t !== "string") return { error: 'a message is not a JSON object with a string "t"' };
  const m = value;
  const t: string = value.t;
  const ok = { message: m as unknown as WorkerMessage };
  const bad = (what: string) => ({ error: `malformed "${t}" message: ${what}` });
  switch (t) {
    case "hello":
      return hasHelloShape(m) ? ok : bad("needs protocol, workerId, name, host, pid, version, queues, concurrency, startedAt, holding and finished");
    case "started":
      return isId(m.id) && isTime(m.at) && isPid(m.pid) ? ok : bad("needs id, at and pid");
    case "finished":
      return isFinishedReport(m) ? ok : bad("needs id, outcome, startedAt, endedAt and pid");
    case "log":
      return isId(m.id) && typeof m.data === "string" ? ok : bad("needs id and data");
    case "secret":
      return isReq(m.req) && isId(m.id) && (m.kind === "connection" || m.kind === "variable") && typeof m.name === "string"
        ? ok
        : bad('needs req, id, kind ("connection" or "variable") and name');
    case "dagRuns":
      return isReq(m.req) && isId(m.id) && typeof m.op === "string" && Array.isArray(m.args) ? ok : bad("needs req, id, op and args");
    case "heartbeat":
      return Number.isInteger(m.holding) && (m.holding as number) >= 0 ? ok : bad("needs holding, a count");
    case "draining":
      return ok;
    case "handback":
      return isIdList(m.ids) ? ok : bad("needs ids");
    default:
      return { unknown: t };
  }
}

/**
 * Why this hello cannot be welcomed with this token, or null: the protocol version, the queues
 * (non-empty, valid names, within the token's scope) and the concurrency.
 */
export function helloProblem(hello: HelloMessage, token: WorkerTokenRecord): string | null {
  if (hello.protocol !== WORKER_PROTOCOL_VERSION) {
    return `this API server speaks worker protocol ${WORKER_PROTOCOL_VERSION}, the worker ${hello.protocol}: run the same Baton version on both`;
  }
  if (hello.workerId.length === 0 || hello.workerId.length > 200) return "workerId must be 1 to 200 characters";
  if (!Number.isInteger(hello.concurrency) || hello.concurrency < 1 || hello.concurrency > MAX_CONCURRENCY) {
    return `concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got ${hello.concurrency}`;
  }
  if (hello.prefetch !== undefined && (!Number.isInteger(hello.prefetch) || hello.prefetch < 1 || hello.prefetch > MAX_PREFETCH)) {
    return `prefetch must be a whole number from 1 to ${MAX_PREFETCH}, got ${hello.prefetch}`;
  }
  if (hello.queues.length === 0) return "the worker listens on no queue: pass --queues (default: default)";
  const invalid = hello.queues.filter((q) => !QUEUE_NAME.test(q));
  if (invalid.length > 0) return `invalid queue name(s) ${invalid.map((q) => JSON.stringify(q)).join(", ")}: use 1-64 letters, digits, "_", "-" or "."`;
  if (token.queues !== null) {
    const allowed = new Set(token.queues);
    const outside = hello.queues.filter((q) => !allowed.has(q));
    if (outside.length > 0) {
      return `worker token ${token.id} may not serve queue(s) ${outside.join(", ")}; it is limited to ${token.queues.join(", ")}`;
    }
  }
  return null;
}

function hasHelloShape(m: Record<string, unknown>): boolean {
  return (
    typeof m.protocol === "number" &&
    typeof m.workerId === "string" &&
    typeof m.name === "string" &&
    typeof m.host === "string" &&
    Number.isInteger(m.pid) &&
    typeof m.version === "string" &&
    Array.isArray(m.queues) &&
    m.queues.every((q) => typeof q === "string") &&
    typeof m.concurrency === "number" &&
    (m.prefetch === undefined || typeof m.prefetch === "number") &&
    (m.runParts === undefined || typeof m.runParts === "boolean") &&
    isTime(m.startedAt) &&
    isIdList(m.holding) &&
    Array.isArray(m.finished) &&
    m.finished.every((f) => isObject(f) && isFinishedReport(f))
  );
}

function isFinishedReport(m: Record<string, unknown>): m is Record<string, unknown> & FinishedReport {
  return isId(m.id) && isObject(m.outcome) && typeof m.outcome.kind === "string" && isTime(m.startedAt) && isTime(m.endedAt) && isPid(m.pid);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isId(v: unknown): v is string {
  return typeof v === "string" && v.length > 0 && v.length <= 500;
}

function isIdList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every(isId);
}

function isTime(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

function isPid(v: unknown): v is number | null {
  return v === null || Number.isInteger(v);
}

function isReq(v: unknown): v is number {
  return Number.isInteger(v);
}
